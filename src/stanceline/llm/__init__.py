"""Bring your own language model: ``llm.v1``, an extractor and a judge over any OpenAI-compatible
``/v1/chat/completions`` endpoint (llama.cpp, vLLM, Ollama, a hosted API).

The model proposes; the project checks. Every evidence span must be an exact substring of the
cleaned text (offsets are found here, never taken from the model), speakers go through the pack's
linker, dates through the project's date finder, and whatever cannot be grounded is dropped and
counted. Responses are cached by (document hash, prompt version, model, request); a document whose
requests fail falls back to the default extractor or judge, and the reason is recorded.

Modules: ``config`` (settings → ``LLMConfig``), ``client`` (HTTP, retries, structured output),
``prompts`` (versioned prompts and JSON schemas), ``grounding`` (evidence → offsets), ``cache``
(responses in the store), ``extractor`` and ``judge`` (the registered ``llm.v1`` components).
"""
