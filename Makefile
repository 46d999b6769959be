# Two commands on a fresh machine:  make build   and   make test
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
CORPUS  ?= corpus
OUT     ?= output

.PHONY: build test venv lint bench clean serve help

help:
	@echo "make build   create .venv, install, build the graph, store, report and views into $(OUT)/"
	@echo "make test    run the whole test suite (creates .venv if needed)"
	@echo "make lint    ruff;  make bench  kg bench;  make serve  SPARQL endpoint"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,notebooks,cluster]'
	$(BIN)/python -m ipykernel install --user --name fupin-kg --display-name "Fupin KG" >/dev/null
	touch $(STAMP)

venv: $(STAMP)

build: $(STAMP)
	$(BIN)/kg build --corpus $(CORPUS) --out $(OUT); status=$$?; \
	  if [ $$status -ne 0 ] && [ $$status -ne 3 ]; then exit $$status; fi

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check kg tests

bench: $(STAMP)
	$(BIN)/kg bench --out $(OUT)

serve: $(STAMP)
	$(BIN)/kg serve --out $(OUT)

clean:
	rm -rf $(OUT)/* .pytest_cache
