"""The CI model: llama.cpp's llama-server with a small Qwen2.5-Coder GGUF from PyPI packages."""
