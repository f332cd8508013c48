#!/usr/bin/env bash
# Build llama.cpp's OpenAI-compatible server (`llama-server`) for the llm.v1 tests, from the source
# vendored in the hash-pinned sdist named in requirements-llm-server.txt, into the user's cache
# (~/.cache/stanceline/llama-server-<source hash>/, so every clone on the machine shares it).
# Nothing is built when the binary for that source exists. About 10 minutes on 2 cores.
#   usage: scripts/build_llama_server.sh [PYTHON]
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${1:-.venv/bin/python}
SOURCE_HASH=$(grep -o 'sha256:[0-9a-f]*' requirements-llm-server.txt | head -1 | cut -c8-)
OUT="${XDG_CACHE_HOME:-$HOME/.cache}/stanceline/llama-server-${SOURCE_HASH:0:16}"
if [ -x "$OUT/llama-server" ]; then
    exit 0
fi
if ! command -v cmake >/dev/null 2>&1; then
    "$PYTHON" -m pip install -q cmake  # the build tool only, from the package index
    PATH="$(dirname "$PYTHON"):$PATH"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$PYTHON" -m pip download -q --disable-pip-version-check --no-deps --no-binary :all: --require-hashes -r requirements-llm-server.txt -d "$work"
tar xzf "$work"/llama_cpp_python-*.tar.gz -C "$work"
src=$(echo "$work"/llama_cpp_python-*/vendor/llama.cpp)
log="$work/build.log"
echo "building llama-server (about 10 minutes on 2 cores)…"
if ! { cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DLLAMA_CURL=OFF \
           -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DGGML_BLAS=OFF \
       && cmake --build "$work/build" --target llama-server -j "$(nproc)"; } >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "llama-server did not build (last lines above)" >&2
    exit 1
fi
mkdir -p "$OUT"
cp "$work/build/bin/llama-server" "$OUT/llama-server.partial"
mv "$OUT/llama-server.partial" "$OUT/llama-server"  # whole or absent, if the build is interrupted
echo "built $OUT/llama-server"
