# fuzz/fuzz.mk -- libFuzzer targets for the pure-C extractors and URL parser
#
# Included from the top-level Makefile (include fuzz/fuzz.mk).  Targets:
#
#   make fuzz-build     build every target into build/fuzz/ (clang, libFuzzer,
#                       AddressSanitizer, UndefinedBehaviorSanitizer)
#   make fuzz           run every target for FUZZ_SECONDS (default 600),
#                       FUZZ_JOBS (default 2) at a time; print execs, execs/s
#                       and crashes per target (fuzz/run.sh)
#   make fuzz-regress   replay every file of fuzz/regressions/<target>/
#                       through its target (quick; fails on any crash)
#
# Targets (fuzz/<target>.c): one per document family, plus url_parse,
# auth_tokens (initData and JWTs) and thumbnail_url (the CDN host checks).
# Seeds and dictionaries are made from test/fixtures at run time into
# build/fuzz/ (fuzz/seeds.sh); nothing generated is committed.  Inputs
# that crashed are kept under fuzz/regressions/<target>/.

# Keep whatever default goal the including Makefile has.
FUZZ_SAVED_GOAL := $(.DEFAULT_GOAL)

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 600
FUZZ_JOBS ?= 2
FUZZ_OUT = build/fuzz

FUZZ_TARGETS = tiktok_page youtube_watch youtube_api instagram_api \
	instagram_media likee_api telegram_html telegram_post url_parse auth_tokens \
	thumbnail_url

# The pure sources: the Makefile's PURE_SRCS (extension/ without the backend glue)
FUZZ_PURE_SRCS = $(PURE_SRCS)
FUZZ_PURE_OBJS = $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(FUZZ_PURE_SRCS) fuzz/fuzz_check.c)
FUZZ_BINS = $(addprefix $(FUZZ_OUT)/,$(FUZZ_TARGETS))

FUZZ_SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = -std=gnu11 -g -O1 -fno-omit-frame-pointer $(FUZZ_SANITIZE) \
	-fsanitize=fuzzer-no-link \
	-Wall -Wextra -Werror -Wmissing-prototypes -Wdeclaration-after-statement \
	-Wimplicit-fallthrough -Wno-unused-parameter -Iextension -Ifuzz \
	$(shell pkg-config --cflags jansson libxml-2.0 libcurl)
FUZZ_LIBS = $(shell pkg-config --libs jansson libxml-2.0 libcrypto libcurl) -lm

$(FUZZ_OUT)/obj/%.o: %.c $(wildcard extension/*.h fuzz/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BINS): $(FUZZ_OUT)/%: $(FUZZ_OUT)/obj/fuzz/%.o $(FUZZ_PURE_OBJS)
	$(FUZZ_CC) $(FUZZ_SANITIZE) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	fuzz/run.sh $(FUZZ_OUT) $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

fuzz-regress: fuzz-build
	@set -e; n=0; \
	for d in fuzz/regressions/*/; do \
		[ -d "$$d" ] || continue; t=$$(basename "$$d"); \
		[ -x "$(FUZZ_OUT)/$$t" ] || { echo "fuzz-regress: no target $$t for $$d" >&2; exit 1; }; \
		files=$$(find "$$d" -type f ! -name '.*' | sort); \
		[ -n "$$files" ] || continue; \
		echo "== $$t: $$(echo "$$files" | wc -l) input(s)"; \
		$(FUZZ_OUT)/$$t $$files >$(FUZZ_OUT)/regress-$$t.log 2>&1 || \
			{ cat $(FUZZ_OUT)/regress-$$t.log >&2; echo "fuzz-regress: $$t FAILED" >&2; exit 1; }; \
		n=$$((n + $$(echo "$$files" | wc -l))); \
	done; \
	echo "fuzz-regress: $$n input(s) replayed, no crash"

.PHONY: fuzz fuzz-build fuzz-regress
.PRECIOUS: $(FUZZ_OUT)/obj/%.o

.DEFAULT_GOAL := $(FUZZ_SAVED_GOAL)
