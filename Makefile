# Kechuang — one command each: `make run`, `make test`, `make bench`. Each installs the Debian packages it needs
# (scripts/system_packages.py: as root through apt-get, otherwise it prints the command); npm is optional.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := run

.PHONY: install dev assets catalogs migrate run test bench lint format-check i18n clean system-run system-test system-bench

$(VENV)/.installed: requirements.txt
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: charts show tables only and the scanner page uses keyboard/USB input"; fi

assets: $(VENV)/.installed
	@-$(MAKE) --no-print-directory node_modules/.package-lock.json
	$(BIN)/python -m core.assets

catalogs: $(VENV)/.installed
	$(BIN)/python -m core.catalogs compile

system-run system-test system-bench: system-%:
	@-$(PY) scripts/system_packages.py $*

install: $(VENV)/.installed assets catalogs

dev: install $(VENV)/.dev-installed

migrate: install
	$(BIN)/flask db upgrade

run: system-run migrate
	@if $(BIN)/flask db-empty; then echo "Empty database: loading demo data…"; $(BIN)/flask seed-demo; else $(BIN)/flask demo-logins; fi
	@echo "Open http://127.0.0.1:$(PORT)/"
	PORT=$(PORT) $(BIN)/python run.py

test: system-test dev
	$(BIN)/python -m pytest

bench: system-bench dev
	$(BIN)/python -m bench

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The formatter alone (settings in pyproject.toml [tool.ruff.format]); `lint` runs it too.
format-check: dev
	$(BIN)/ruff format --check .

i18n: install
	$(BIN)/python -m core.catalogs update
	$(BIN)/python -m core.catalogs check

clean:
	rm -rf $(VENV) node_modules static/vendor
