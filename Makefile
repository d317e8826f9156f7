# Launchboard: `make run` serves the sample launch, `make test` runs every test tier.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= sample_data
PORT ?= 8501

.PHONY: setup browser run test test-unit test-app test-e2e bench sample messages clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(BIN)/.installed

# Debian's chromium (and a Korean font) for the end-to-end tier: installed when missing (as root),
# else one line says what to install.
browser:
	sh scripts/ensure-browser

run: setup
	LAUNCHBOARD_DATA=$(DATA) $(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true

test: setup browser
	$(BIN)/python -m pytest tests -q

test-unit: setup
	$(BIN)/python -m pytest tests/unit -q

test-app: setup
	$(BIN)/python -m pytest tests/app -q

test-e2e: setup browser
	$(BIN)/python -m pytest tests/e2e -q

sample: setup
	rm -rf sample_data sample_data_real
	$(BIN)/python -m launchboard generate --orders 4000 --seed 7 --out sample_data --real-out sample_data_real

# the Korean catalog in step with the code (README: Languages); lists what needs translating
messages: setup
	$(BIN)/python -m launchboard.i18n_catalog

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache
