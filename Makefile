# Workflow Manager: one target runs across every workspace member.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV := $(shell command -v uv >/dev/null 2>&1 && echo uv || echo python3 -m uv)

.PHONY: install dev test fuzz bench lint fmt schema clean

install: ## uv, the workspace (locked), FerretDB v1.24.2 into .tools/bin, the GraphiQL bundle and the web app (npm), Chromium and ClamAV (Debian) for the tests
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv>=0.8"
	$(UV) sync --frozen
	tools/devkit/bin/install-ferretdb
	apps/api/graphiql/build
	apps/web/build
	tools/testing/bin/install-debian-packages

dev: ## API on the embedded PostgreSQL + FerretDB, migrated and seeded; prints the GraphiQL URL
	$(UV) run wfm dev

test: ## the web app's component tests (Vitest), then the whole suite against real servers (browser tests included)
	npm --prefix apps/web test --silent
	$(UV) run pytest

fuzz: ## a long GraphQL fuzzing run against the API process (WFM_FUZZ_EXAMPLES per operation, default 200)
	WFM_FUZZ_EXAMPLES=$${WFM_FUZZ_EXAMPLES:-200} $(UV) run pytest tests/test_fuzz_graphql.py -s

bench: ## B1-B6 against the API process (B5: the web console in Chromium; B6: 10 MiB attachments): a table, and bench/results/latest.json (BENCH_ARGS="--quick", "--only B3", "--fresh")
	$(UV) run wfm bench run $(BENCH_ARGS)

lint: ## ruff (lint + format), mypy --strict on every member, schema file and README role steps up to date, eslint + tsc on the web app
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy
	$(UV) run wfm schema --check
	$(UV) run wfm templates doc --readme README.md --check
	npm --prefix apps/web run --silent lint

fmt: ## format and autofix
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

schema: ## regenerate apps/api/schema.graphql
	$(UV) run wfm schema

clean: ## remove the embedded servers' data (refused while `make dev` runs)
	$(UV) run wfm clean
