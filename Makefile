# frontdoor: `make run` starts everything on a fresh machine; `make test` checks everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
ASSETS := intake/static/govuk/.built
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint format install assets browser migrate seed bench clean

run: install assets
	$(BIN)/frontdoor dev --port $(PORT)

test: install assets browser lint
	$(BIN)/python -m pytest -p no:cacheprovider

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

assets: $(ASSETS)

# GOV.UK Frontend 6.3.0 (the version govuk-frontend-jinja 4.1.0 ports) and axe-core, from npm.
$(ASSETS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf intake/static/govuk && mkdir -p intake/static/govuk
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js intake/static/govuk/
	# The stylesheet asks for /assets/fonts and /assets/images: serve them from there.
	cp -r node_modules/govuk-frontend/dist/govuk/assets/fonts node_modules/govuk-frontend/dist/govuk/assets/images node_modules/govuk-frontend/dist/govuk/assets/manifest.json intake/static/govuk/
	touch $@

# Debian's Chromium for the browser tests (Playwright's own browser download does not work here).
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  ( $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver >/dev/null )

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy intake forms channels nlp workers

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: install
	$(BIN)/frontdoor db upgrade

seed: install
	$(BIN)/frontdoor demo seed

bench: install
	for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) node_modules intake/static/govuk instance
