# Makefile for Cos (PGXS)
#
#   make            build the extension and ./cos-extract
#   make install    install into the PostgreSQL found by pg_config
#   make demo       the main job end to end on a throwaway cluster
#   make check      every test: unit (cmocka), the mini-app's checks, pg_regress, end to end
#   make web        build the mini-app (web/) when its sources or lockfile changed
#   make web-check  the mini-app's type check and unit tests
#   make bench-extract-build   build bench/extract.c as bench/extract.sh does (no run)

EXTENSION = cos
EXTVERSION = 0.1

# On a fresh Debian machine, install what the build and the tests need
# before PGXS is looked for (.ci/install-deps.sh: apt-get, as root or sudo).
ifeq ($(shell command -v pg_config 2>/dev/null),)
$(info pg_config not found: installing the Debian packages Cos needs)
$(shell .ci/install-deps.sh >&2)
endif

MODULE_big = cos

# Pure C (no postgres.h): everything in extension/ except the backend glue.
BACKEND_SRCS = extension/cos.c extension/jansson_static.c extension/secrets.c $(wildcard extension/sql_*.c)
PURE_SRCS = $(filter-out $(BACKEND_SRCS),$(wildcard extension/*.c))
WORKER_SRCS = $(wildcard bgworker/*.c)

OBJS = $(patsubst %.c,%.o,$(BACKEND_SRCS) $(PURE_SRCS) $(WORKER_SRCS))

DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql
DATA = $(filter-out sql/$(EXTENSION)--$(EXTVERSION).sql,$(wildcard sql/$(EXTENSION)--*--*.sql))

REGRESS = $(patsubst test/sql/%.sql,%,$(sort $(wildcard test/sql/*.sql)))
REGRESS_OPTS = --inputdir=test --outputdir=test/results \
	--temp-instance=test/tmp_check --temp-config=test/cos.conf \
	--load-extension=pg_cron --load-extension=cos

PG_CPPFLAGS += -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers \
	-Iextension $(shell pkg-config --cflags libxml-2.0 jansson libcurl libmicrohttpd libcrypto)
# jansson is linked in statically with its symbols hidden: the postgres
# binary exports its own json_object() (the SQL function), which would
# otherwise shadow jansson's, for our calls and jansson's internal ones alike.
JANSSON_A = $(shell pkg-config --variable=libdir jansson)/libjansson.a
SHLIB_LINK += -Wl,--exclude-libs,libjansson.a $(JANSSON_A) $(shell pkg-config --libs libcurl libxml-2.0 libmicrohttpd libcrypto)

EXTRA_CLEAN = cos-extract test/unit/bin test/results test/tmp_check test/tmp_secrets test/regression.* \
	build sql/$(EXTENSION)--$(EXTVERSION).sql web/dist web/build-test

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

all: cos-extract web

# PGXS tracks no header dependencies: rebuild every object when a header
# changes (a stale struct layout in one object is a crash).
$(OBJS): $(wildcard extension/*.h bgworker/*.h)

# The install script: the core (sql/cos.sql), then the mini-app's API
# (sql/api.sql, schema cos_api), then the bot (sql/bot.sql).
SQL_PARTS = sql/$(EXTENSION).sql $(wildcard sql/api.sql) $(wildcard sql/bot.sql)
sql/$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PARTS)
	cat $^ > $@

# Standalone extractor on the same pure-C code.
# The same warnings PGXS builds the module with, so both builds agree.
PURE_CFLAGS = -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wmissing-prototypes \
	-Wdeclaration-after-statement -Wmissing-format-attribute -Wimplicit-fallthrough=3 \
	-Wno-unused-parameter -Iextension \
	$(shell pkg-config --cflags libxml-2.0 jansson libcrypto libcurl)
PURE_LIBS = $(shell pkg-config --libs jansson libxml-2.0 libcrypto libcurl) -lm

cos-extract: tools/cos-extract.c $(PURE_SRCS) $(wildcard extension/*.h)
	$(CC) $(PURE_CFLAGS) -o $@ tools/cos-extract.c $(PURE_SRCS) $(PURE_LIBS)

# The mini-app (web/: Vite, Preact, TypeScript), built into web/dist when its
# sources or lockfile are newer than the build (web/dist/index.html, which
# every build writes anew); npm ci only when the lockfile changed.  The
# build prints the first screen's and the chart chunk's gzip sizes and fails
# past the first screen's budget (web/vite.config.ts).  make install copies
# web/dist to $(datadir)/cos_app/, where the gateway serves /app/ from.
WEB_SRCS = $(shell find web/src -type f 2>/dev/null) web/index.html web/vite.config.ts \
	web/tsconfig.json web/package.json
WEB_DIR = $(DESTDIR)$(datadir)/cos_app

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SRCS)
	cd web && npm run --silent build -- --logLevel warn

web: web/dist/index.html

# the type check, and node's test runner on the formatting helpers
web-check: web/node_modules/.package-lock.json
	cd web && npx tsc --noEmit && npm test --silent

install: install-web
install-web: web
	rm -rf '$(WEB_DIR)'
	$(MKDIR_P) '$(WEB_DIR)'
	cp -R web/dist/. '$(WEB_DIR)/'
	chmod -R u=rwX,go=rX '$(WEB_DIR)'

uninstall: uninstall-web
uninstall-web:
	rm -rf '$(WEB_DIR)'

# cmocka unit tests: each test/unit/test_*.c links every pure source.
UNIT_TESTS = $(patsubst test/unit/%.c,test/unit/bin/%,$(wildcard test/unit/test_*.c))

test/unit/bin/%: test/unit/%.c $(PURE_SRCS) $(wildcard extension/*.h) $(wildcard test/unit/*.h)
	@mkdir -p test/unit/bin
	$(CC) $(PURE_CFLAGS) -Itest/unit -o $@ $< $(PURE_SRCS) $(PURE_LIBS) -lcmocka

unit: $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do \
		echo "== $$t"; (cd test/unit && COS_FIXTURES=$(CURDIR)/test/fixtures ./bin/$$(basename $$t)); \
	done



# Every test: unit tests, the mini-app's type check and unit tests, the
# extractor bench's build (no run), then pg_regress on a temp instance with
# the workers loaded (needs the extension installed, as pg_cron's suite
# does), then the end-to-end tests through the
# workers and the fixture server, through the HTTP gateway, of the
# mini-app's API over HTTP, of the mini-app in Chromium, and of the bot
# against a fake Bot API.
# The install and the suites that use it hold /tmp/cos-check.lock, so two
# checkouts on one machine do not install over each other's tests.
check: deps
	$(MAKE) unit
	$(MAKE) web-check
	$(MAKE) bench-extract-build
	$(MAKE) fuzz-regress
	flock -o /tmp/cos-check.lock sh -c '$(MAKE) install && test/regress.sh && test/e2e/test_collect.sh && test/e2e/test_engine.sh && test/e2e/test_http.sh && test/e2e/test_api_http.sh && test/e2e/test_webapp.sh && test/e2e/test_bot.sh'

# the Debian packages the tests need (nginx for the fixture server, …)
deps:
	.ci/install-deps.sh

regress:
	test/regress.sh

e2e:
	test/e2e/test_collect.sh
	test/e2e/test_engine.sh
	test/e2e/test_http.sh
	test/e2e/test_api_http.sh
	test/e2e/test_webapp.sh
	test/e2e/test_bot.sh

# The bot's outbox drained against a fake Bot API (bench/bot.sh): the rate
# against the limit, CPU per message.
bench-bot: all
	flock -o /tmp/cos-check.lock sh -c '$(MAKE) install && bench/bot.sh'

# Collection throughput through the workers (bench/collect.sh; figures, not
# pass/fail).  BENCH_VIDEOS=20000 for a shorter run.
BENCH_VIDEOS ?= 100000
bench-collect: all
	flock -o /tmp/cos-check.lock sh -c '$(MAKE) install && bench/collect.sh $(BENCH_VIDEOS)'

# The extractor bench's build alone, with bench/extract.sh's own compile
# line (no run): make check builds it, so a bench that no longer compiles
# or links against the pure sources fails the check.
bench-extract-build:
	bench/extract.sh --build-only

# The main job end to end on a throwaway cluster and the bundled captures.
demo:
	test/e2e/demo.sh
# The read API over HTTP under wrk, on 14.6 million history rows (figures
# only, never part of check).
bench-api:
	flock -o /tmp/cos-check.lock sh -c '$(MAKE) install && bench/api.sh'

# The pure sources, one per line, for scripts that build against them
# (bench/extract.sh): the list is kept here only.
print-pure-srcs:
	@printf '%s\n' $(PURE_SRCS)

.PHONY: web web-check install-web uninstall-web unit demo check e2e regress deps bench-collect bench-api bench-extract-build print-pure-srcs

# libFuzzer targets: make fuzz-build | fuzz | fuzz-regress (fuzz/fuzz.mk)
include fuzz/fuzz.mk
