# Docket: `make run` starts the app on http://127.0.0.1:5000 (embedded SQLite),
# `make test` runs the whole suite. Both set up everything they need first.
VENV   := .venv
PYTHON := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app webapp
STAMP  := $(VENV)/.installed

.PHONY: run test install clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(FLASK) db upgrade
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install
	$(PYTHON) -m pytest

clean:
	rm -rf $(VENV) instance test-artifacts .pytest_cache
