# Thi đua — the two commands of the README, and a few more.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export DJANGO_SETTINGS_MODULE := emulation.settings

.PHONY: run test test-browser test-integration bench lint messages clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

## make run: migrate, load the demo, serve on http://127.0.0.1:8000 with the Celery workers (and beat):
## one takes from every queue, the summary's first; one takes the summary's only, so a compile never waits
run: $(VENV)/.installed
	mkdir -p var/broker/queue var/broker/processed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Starting the job workers (embedded broker under var/broker/)…"
	@trap 'kill 0' INT TERM EXIT; \
	$(VENV)/bin/celery -A emulation worker -Q summary,prints,background -n jobs@%h --concurrency=2 -B \
		--schedule=var/celerybeat-schedule --loglevel=INFO > var/worker.log 2>&1 & \
	$(VENV)/bin/celery -A emulation worker -Q summary -n summary@%h --concurrency=1 \
		--loglevel=INFO > var/worker-summary.log 2>&1 & \
	$(PY) manage.py runserver 127.0.0.1:8000

## make test: checks, then the test suite (SQLite, tasks run eagerly; no server needed)
test: $(VENV)/.installed
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -m "not browser and not integration" -q -n auto $(PYTEST_ARGS)
	$(VENV)/bin/pytest -m integration -q -rs $(PYTEST_ARGS) || test $$? -eq 5

## make test-browser: journeys in a real Chromium (/usr/bin/chromium) and axe checks
test-browser: $(VENV)/.installed
	$(VENV)/bin/pytest -m browser -q -p no:randomly $(PYTEST_ARGS)

bench: $(VENV)/.installed
	$(PY) bench/run.py

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## make messages: refresh and compile the vi/en catalogues (needs gettext; the .mo files are committed)
messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l vi -l en --ignore=.venv --ignore=bench
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf var media staticfiles
