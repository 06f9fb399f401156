# The registry's two commands: `make run` and `make test` (see README.md).
VENV ?= .venv
PY := $(VENV)/bin/python
REGISTRY := $(VENV)/bin/registry
CATALOGS := $(wildcard registry/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test test-fast bench lint translations extract-messages chromium

run: $(VENV)/.installed $(COMPILED)
	$(REGISTRY) init
	$(REGISTRY) demo --if-empty
	$(REGISTRY) run

test: $(VENV)/.installed-test $(COMPILED) chromium
	$(PY) -m pytest $(PYTEST_ARGS)

# The edit-and-test loop: the whole suite but the browser, LibreOffice, served-app, packaging and
# benchmark tests (markers browser, served, slow).
test-fast: $(VENV)/.installed-test $(COMPILED)
	$(PY) -m pytest -m "not browser and not served and not slow" $(PYTEST_ARGS)

# Every benchmark on the reference registry, on SQLite and on a fresh PostgreSQL database
# (BENCH_PG_URL to choose another server; BENCH_SCALE=0.1 for a tenth of the size, 10 for ten times).
BENCH_SCALE ?= 1
BENCH_ARGS ?= --scale $(BENCH_SCALE)
BENCH_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/registry_bench
BENCH_PG_ADMIN = psql "$$(echo $(BENCH_PG_URL) | sed 's/+psycopg//; s\#/[^/]*$$\#/postgres\#')" -q
BENCH_PG_FRESH = $(BENCH_PG_ADMIN) -c "DROP DATABASE IF EXISTS $$(basename $(BENCH_PG_URL))" -c "CREATE DATABASE $$(basename $(BENCH_PG_URL))"
bench: $(VENV)/.installed-test
	$(PY) -m benchmarks.exchange $(BENCH_ARGS)
	$(PY) -m benchmarks.compliance $(BENCH_ARGS)
	$(PY) -m benchmarks.pages $(BENCH_ARGS)
	$(PY) -m benchmarks.lists $(BENCH_ARGS)
	$(BENCH_PG_FRESH)
	$(PY) -m benchmarks.exchange --database $(BENCH_PG_URL) $(BENCH_ARGS)
	$(BENCH_PG_FRESH)
	$(PY) -m benchmarks.compliance --database $(BENCH_PG_URL) $(BENCH_ARGS)
	$(BENCH_PG_FRESH)
	$(PY) -m benchmarks.pages --database $(BENCH_PG_URL) $(BENCH_ARGS)
	$(BENCH_PG_FRESH)
	$(PY) -m benchmarks.lists --database $(BENCH_PG_URL) $(BENCH_ARGS)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check registry tests benchmarks

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

translations: $(COMPILED)

%.mo: %.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile --use-fuzzy -i $< -o $@

extract-messages: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs ".*" -o registry/translations/messages.pot .
	$(VENV)/bin/pybabel update -i registry/translations/messages.pot -d registry/translations --no-fuzzy-matching \
	  --ignore-obsolete

# The browser tests drive Debian's chromium (Playwright's own browser download cannot work here);
# the questionnaire tests re-save workbooks with LibreOffice, as a vendor would; the report's PDF
# is laid out by WeasyPrint on Debian's pango in the Noto CJK fonts, and its pages are drawn as
# images by poppler's pdftoppm.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk; }
	@command -v soffice >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	  libreoffice-calc; }
	@dpkg -s libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils; }
