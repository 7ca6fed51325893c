# Two commands do all the set-up on a fresh machine: `make demo` (the main job) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: install system-deps demo lint typecheck test bench clean

# A virtualenv with the project installed (editable) and the test extras.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

# The tests start a real PostgreSQL, redis-server and dovecot (IMAP) of their own and drive Debian's
# chromium (the service's web page); install them when absent.
system-deps:
	@if ! command -v redis-server >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	    || ! command -v chromium >/dev/null 2>&1 || ! command -v dovecot >/dev/null 2>&1; then \
	  if [ "$$(id -u)" != 0 ]; then echo "need Debian's postgresql, redis-server, chromium and dovecot-imapd: sudo apt-get install postgresql redis-server chromium dovecot-imapd" >&2; exit 1; fi; \
	  echo "installing Debian's postgresql, redis-server, chromium and dovecot-imapd"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server chromium dovecot-imapd >/dev/null; \
	fi

# The main job on the embedded defaults: the sandbox PACER, a docket with its attachment pages
# and a PDF crawled into the default SQLite archive, then what was stored and what it cost.
demo: install
	$(BIN)/pacer-spiders demo

# ruff over the code and tests, then mypy over the package (configuration: pyproject.toml).
lint: install
	$(BIN)/ruff check pacer_spiders plugins pipelines tests bench
	$(BIN)/python .ci/mypy

# mypy alone (.ci/mypy: the package as it installs, plugins/ and pipelines/ included).
typecheck: install
	$(BIN)/python .ci/mypy

# pytest-xdist: TEST_WORKERS processes (each with its own PostgreSQL, Redis and fork server of
# crawls); more than the 2 cores, since the tests mostly wait on crawls and servers. TEST_WORKERS=1: one process.
TEST_WORKERS ?= 3
test: install system-deps
	$(BIN)/python -m pytest $(if $(filter-out 1,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist worksteal)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache pacer_spiders.sqlite3* pacer_files .pacer-demo
