# The two commands of the README: `make run` and `make test`.
.PHONY: run test setup lint check frontdoor exhaustive bench

run:  ## set up and run the portal at http://127.0.0.1:8000 with the demo council
	bin/run

test:  ## run the whole test suite (SQLite, then PostgreSQL when reachable)
	bin/test

setup:  ## install Python and npm packages, build the stylesheet, collect static files
	bin/setup

lint:  ## ruff lint and format check
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

check:  ## lint, migrations up to date, production `check --deploy`, coverage floor
	bin/check

frontdoor:  ## clone HEAD, `make run` it with an empty environment, check the running portal (CI runs it)
	bin/frontdoor

exhaustive:  ## axe on every demo e-form step not in `make test`, deep API fuzzing (CI runs it)
	bin/exhaustive

bench:  ## benchmarks: side by side with a bare Wagtail site, e-form step POSTs (SQLite), deliveries (PostgreSQL); results in bench/results/
	bin/setup
	bench/run_side_by_side.sh
	bench/run_form_steps.sh
	.venv/bin/python bench/delivery.py
