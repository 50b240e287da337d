# Build and run the county marketplace. Needs only Python 3.11 (and make) on a fresh machine.
#
#   make run       install if needed, migrate, seed the demo once, serve http://127.0.0.1:8000
#   make test      install if needed, make sure Chromium and libzbar0 are there, run the whole pytest suite
#   make lint      ruff check .
#   make messages  compile every **/locale/*/LC_MESSAGES/django.po to .mo
#
# With no environment variables set the embedded default runs: SQLite (db.sqlite3), eager
# Celery, local-memory cache, DB search, sandbox payments. See README.md for the variables.

PYTHON ?= python3.11
UV_VERSION := 0.13.8
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py
SEEDED := var/.seeded
# Extra pytest arguments for a targeted run, e.g. `make test PYTEST_ARGS="tests/test_smoke.py -x"`.
PYTEST_ARGS ?=

.DEFAULT_GOAL := run
.PHONY: install run test lint messages makemessages bench audit

install: $(INSTALLED)

# Re-run only when the lock changes, so a second `make run` starts in seconds.
$(INSTALLED): requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/uv --version 2>/dev/null | grep -q '^uv $(UV_VERSION)\( \|$$\)' \
		|| $(BIN)/pip install --disable-pip-version-check -q uv==$(UV_VERSION)
	$(BIN)/uv pip install --require-hashes -r requirements.lock --python $(BIN)/python
	@touch $@

# Babel, not GNU gettext: see .ci/compile_messages.py (compiles only what changed).
messages: $(INSTALLED)
	@$(BIN)/python .ci/compile_messages.py

# Collect the project's strings (Chinese msgids) into the English catalogue; needs GNU
# gettext (apt-get install gettext). Translate the new entries, then `make messages`.
makemessages: $(INSTALLED)
	$(MANAGE) makemessages -l en --ignore ".venv/*" --ignore "var/*" \
		--ignore "node_modules/*" --ignore "tests/*"

# The seed stamp belongs to the embedded SQLite file: a new db.sqlite3 is seeded again.
# With DATABASE_URL set there is no stamp; seed_demo is idempotent, so it simply runs.
run: $(INSTALLED) messages
	@if [ -z "$$DATABASE_URL" ] && [ ! -f db.sqlite3 ]; then rm -f $(SEEDED); fi
	$(MANAGE) migrate --noinput
	@if [ -n "$$DATABASE_URL" ] || [ ! -f $(SEEDED) ]; then \
		echo "$(MANAGE) seed_demo"; \
		$(MANAGE) seed_demo || exit 1; \
		if [ -z "$$DATABASE_URL" ]; then mkdir -p var && touch $(SEEDED); fi; \
	fi
	$(MANAGE) runserver 127.0.0.1:8000

# Browser tests use Debian's chromium; when it is missing and cannot be installed they skip
# and print why. make stops with "Error N" where N is pytest's exit code; set PYTEST_RC_FILE
# to also get that code written to a file (.ci/run does).
test: $(INSTALLED) messages
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Debian chromium for the browser (e2e) tests ..."; \
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -qq chromium fonts-noto-cjk; } \
				|| echo "Could not install chromium: the e2e tests will skip."; \
		else \
			echo "No /usr/bin/chromium (and not root with apt-get): the e2e tests will skip."; \
		fi; \
	fi
	@if ! ldconfig -p 2>/dev/null | grep -q libzbar.so.0 \
			|| [ ! -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] \
			|| ! command -v pdftoppm >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Debian libzbar0 (the label tests decode QR codes)," \
				"fonts-wqy-microhei (the CJK font embedded in label PDFs) and" \
				"poppler-utils (the report tests draw and read PDFs) ..."; \
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -qq libzbar0 fonts-wqy-microhei poppler-utils; } \
				|| echo "Could not install libzbar0/fonts-wqy-microhei/poppler-utils: the QR" \
					"decoding and PDF drawing tests will skip and PDFs use reportlab's" \
					"built-in STSong-Light."; \
		else \
			echo "No libzbar0, wqy font or poppler-utils (and not root with apt-get): the QR" \
				"decoding and PDF drawing tests will skip and PDFs use reportlab's" \
				"built-in STSong-Light."; \
		fi; \
	fi
	@echo "$(BIN)/pytest $(PYTEST_ARGS)"; \
	rc=0; $(BIN)/pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ -n "$$PYTEST_RC_FILE" ]; then echo $$rc > "$$PYTEST_RC_FILE"; fi; \
	exit $$rc

lint: $(INSTALLED)
	$(BIN)/ruff check .

# bandit on our code and pip-audit on requirements.lock; see .ci/audit and README "Security checks".
audit: $(INSTALLED)
	@.ci/audit

# Load benchmark against B0/B1 baselines and vanilla Oscar; never part of `make test`. Needs
# PostgreSQL and Redis (BENCH_DATABASE_URL, BENCH_REDIS_URL); see bench/README.md.
bench: $(INSTALLED) messages
	$(BIN)/python -m bench

# Re-fetch the pinned hls.js (live viewer pages, browsers without native HLS) from the npm
# registry into static files: no CDN at run time. The source-map comment is cut because the
# map is not shipped and the manifest static storage would fail on the missing file.
HLSJS_VERSION := 1.7.4
HLSJS_DIR := marketplace/livestream/static/livestream/vendor
# jsQR (station console: reads parcel labels' QR codes from the phone camera), no dependencies.
JSQR_VERSION := 1.4.0
JSQR_DIR := logistics/static/logistics/vendor
# uPlot (sales dashboard time series: small, canvas, no dependencies), only on that page.
UPLOT_VERSION := 1.6.32
UPLOT_DIR := marketplace/reporting/static/reporting/vendor
.PHONY: vendor-js
vendor-js:
	@tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent hls.js@$(HLSJS_VERSION) >/dev/null \
		&& tar -xzf hls.js-$(HLSJS_VERSION).tgz && cd - >/dev/null \
		&& sed '/^\/\/# sourceMappingURL=/d' $$tmp/package/dist/hls.light.min.js \
			> $(HLSJS_DIR)/hls.light.min.js \
		&& cp $$tmp/package/LICENSE $(HLSJS_DIR)/hls.js.LICENSE && rm -rf $$tmp \
		&& echo "hls.js $(HLSJS_VERSION) -> $(HLSJS_DIR)"
	@tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent jsqr@$(JSQR_VERSION) >/dev/null \
		&& tar -xzf jsqr-$(JSQR_VERSION).tgz && cd - >/dev/null \
		&& sed '/^\/\/# sourceMappingURL=/d' $$tmp/package/dist/jsQR.js > $(JSQR_DIR)/jsQR.js \
		&& cp $$tmp/package/LICENSE $(JSQR_DIR)/jsQR.LICENSE && rm -rf $$tmp \
		&& echo "jsqr $(JSQR_VERSION) -> $(JSQR_DIR)"
	@mkdir -p $(UPLOT_DIR) && tmp=$$(mktemp -d) && cd $$tmp \
		&& npm pack --silent uplot@$(UPLOT_VERSION) >/dev/null \
		&& tar -xzf uplot-$(UPLOT_VERSION).tgz && cd - >/dev/null \
		&& sed '/^\/\/# sourceMappingURL=/d' $$tmp/package/dist/uPlot.iife.min.js \
			> $(UPLOT_DIR)/uPlot.iife.min.js \
		&& cp $$tmp/package/dist/uPlot.min.css $(UPLOT_DIR)/uPlot.min.css \
		&& cp $$tmp/package/LICENSE $(UPLOT_DIR)/uPlot.LICENSE && rm -rf $$tmp \
		&& echo "uplot $(UPLOT_VERSION) -> $(UPLOT_DIR)"
