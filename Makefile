# The README's commands. Each one makes the virtual environment if it is missing.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test bench notebooks lab site clean

demo: $(STAMP)
	$(VENV)/bin/tinygrad-edu demo

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# Open the course in JupyterLab (the notebooks use the project's environment).
lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

# Run every notebook top to bottom and store its outputs (they are committed with outputs).
notebooks: $(STAMP)
	$(PY) notebooks/execute_all.py

# The playground and the course for the browser, into site/ (any static host can serve it).
# Python and Graphviz come from web/package-lock.json (npm), JupyterLite from the `site` extra.
site: $(STAMP) web/node_modules/.package-lock.json
	$(PY) -m pip install -q -e '.[site]'
	$(PY) web/build_site.py

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund

bench: $(STAMP)
	$(PY) -m pip install -q -e '.[bench]'
	$(PY) benchmarks/bench.py

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3 -m venv failed; installing python3-venv (Debian/Ubuntu)"; \
	  apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,notebooks]'
	@touch $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info site web/node_modules
