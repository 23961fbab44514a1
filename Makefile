# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint unit integration services venv clean model evals

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

services:
	@bash scripts/ensure-services.sh

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

test: venv services lint
	$(BIN)/pytest -q -p no:cacheprovider
	$(MAKE) --no-print-directory evals

unit: venv
	$(BIN)/pytest -q tests/unit

integration: venv services
	$(BIN)/pytest -q tests/integration

# The CI model (llama-server + Qwen2.5-Coder from PyPI packages, cached outside the repo);
# prints its OpenAI-compatible base URL. `scripts/model-server.sh stop` ends it.
model: venv
	@scripts/model-server.sh setup >/dev/null
	@scripts/model-server.sh start

# The evaluation suite on the CI model (a private server unless `make model` left one running);
# prints the report, writes evals/reports/ci.{json,md}, fails below evals/floors.yaml.
evals: venv
	@scripts/model-server.sh setup >/dev/null
	scripts/model-server.sh run -- $(BIN)/runbooks eval --provider openai \
		--timeout 120 --floors evals/floors.yaml --json evals/reports/ci.json --report evals/reports/ci.md

run: venv services
	$(BIN)/runbooks up

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
