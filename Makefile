# Two commands on a fresh machine with Python 3.11+ and make:
#   make book   -> .venv + requirements, executes every chapter, HTML in _build/html
#   make test   -> .venv + requirements, strict quick build of the book, then the test suite
PYTHON   ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
PROFILE  ?= quick
STAMP    := $(VENV)/.installed
export HOPCORE_PROFILE := $(PROFILE)
# the kernels' parallel loops use every core; the numba cache lives next to the sources
export PYDEVD_DISABLE_FILE_VALIDATION := 1

# The notebooks are executed first, by hopcore.book.execute: JOBS at a time, longest chapter first
# (by its last measured time), the scorecard last; each executed notebook goes into myst-nb's
# jupyter-cache (_build/.jupyter_cache). Sphinx then runs from the configuration that jupyter-book
# derives from _config.yml (conf.py, generated, not tracked), with JOBS worker processes, and renders
# the notebooks from that cache (execute_notebooks: cache) without executing them again.
JOBS     ?= 2
EXECUTE  := $(BIN)/python -m hopcore.book.execute --jobs $(JOBS)
# -E: always read every page, since a chapter depends on hopcore and on the profile, which Sphinx cannot see
SPHINX   := $(BIN)/sphinx-build -E -j $(JOBS) -b html -d _build/.doctrees . _build/html

.PHONY: book test test-fast test-slow test-notebooks test-paper lint bench bench-book paper pdf print-latex-packages clean clean-cache venv conf

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required, found " + sys.version' 
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

conf: $(STAMP)
	$(BIN)/jupyter-book config sphinx . > /dev/null

## make book [PROFILE=paper] [JOBS=n]: execute every chapter and build the HTML into _build/html
book: conf
	$(EXECUTE)
	$(SPHINX) --keep-going
	@echo "HTML: _build/html/index.html   chapter results: _build/results/<chapter>/"

## make paper: the publication-scale build (same as make book PROFILE=paper)
paper:
	$(MAKE) book PROFILE=paper

## make test: strict build of the quick book (Sphinx warnings are errors), pytest, then every
## chapter notebook executed by nbval at its test sizes
test: conf lint
	HOPCORE_PROFILE=quick $(EXECUTE)
	HOPCORE_PROFILE=quick $(SPHINX) -W -n --keep-going
	$(BIN)/python -m pytest -q
	$(MAKE) test-notebooks

## make test-notebooks: nbval executes every chapter notebook (test profile, results in _build/results-test,
## so that _build/results keeps the book's); a failing cell fails
test-notebooks: $(STAMP)
	HOPCORE_PROFILE=test HOPCORE_CACHE=$(CURDIR)/_build/cache-test HOPCORE_RESULTS=$(CURDIR)/_build/results-test \
	  $(BIN)/python -m pytest -q -p no:cacheprovider \
	  --nbval-lax --nbval-current-env book/*.ipynb

## make test-paper: the paper profile of the chapters whose findings rest on simulations; fails if a
## claim the book presents as a finding does not hold at paper scale (long: not part of make test)
test-paper: $(STAMP)
	$(BIN)/python -m pytest -q -m paper tests/test_paper.py

## make pdf [PROFILE=paper]: the whole book as one PDF, _build/pdf/hopcore-book.pdf (XeLaTeX through latexmk).
## Needs the distribution's TeX packages below: installed with apt-get when run as root, else named.
## A later `make book` copies the PDF next to the HTML and puts a download button on every page.
LATEX_PACKAGES := texlive-xetex texlive-latex-extra texlive-fonts-recommended texlive-plain-generic \
                  latexmk lmodern fonts-freefont-otf poppler-utils
print-latex-packages:
	@echo $(LATEX_PACKAGES)

pdf: conf
	@if ! command -v xelatex >/dev/null || ! command -v latexmk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(LATEX_PACKAGES); \
	  else \
	    echo "make pdf needs LaTeX: sudo apt-get install -y $(LATEX_PACKAGES)"; exit 1; \
	  fi; \
	fi
	$(EXECUTE)
	$(BIN)/sphinx-build -E -j $(JOBS) -b latex -d _build/.doctrees-latex . _build/latex --keep-going
	cd _build/latex && latexmk -xelatex -interaction=nonstopmode -halt-on-error -file-line-error hopcore-book.tex
	mkdir -p _build/pdf && cp _build/latex/hopcore-book.pdf _build/pdf/hopcore-book.pdf
	@echo "PDF: _build/pdf/hopcore-book.pdf"

## make lint: ruff over the package, tests and benchmarks (the same check as pre-commit)
lint: $(STAMP)
	$(BIN)/ruff check hopcore tests benchmarks

## make test-fast: the package tests only, without building the book
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not chapters"

## make test-slow: long checks that the default run leaves out
test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

## make bench: benchmarks against plain numpy baselines -> benchmarks/results.json
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

## make bench-book: cold and warm wall time of the whole book (BENCH_BOOK_PAPER=1 adds the paper profile)
bench-book: $(STAMP)
	BENCH_BOOK=1 $(BIN)/python benchmarks/run.py book

clean-cache:
	rm -rf _build/cache

clean:
	rm -rf _build conf.py
