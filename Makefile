# The two commands a user needs on a fresh Debian/Ubuntu machine (see README.md).
.DEFAULT_GOAL := help
HOST ?= 127.0.0.1
PORT ?= 8000
export SPATIALITE_LIBRARY_PATH ?= mod_spatialite

.PHONY: help demo test setup setup-test lint format

help:
	@echo "make demo   install what is missing, prepare the demo and serve it on http://$(HOST):$(PORT)/"
	@echo "make test   install what is missing and run the whole test suite"

setup:
	@scripts/bootstrap.sh demo

setup-test:
	@scripts/bootstrap.sh test

demo: setup
	@.venv/bin/civictwin demo --host $(HOST) --port $(PORT)

test: setup-test
	@scripts/check.sh

format: setup
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .
