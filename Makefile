# stapgen — YAML tool specs -> SystemTap scripts + C result parsers.
#
#   make tools [KVER=release]   generate out/<KVER>/ for every spec
#   make check                  everything CI runs (unit, golden, parser tests)
#   make check-asan             the unit/golden tests under ASan + UBSan
#   make check-browser          flame graph SVG in headless Chromium (apt-get install chromium)
#   make valgrind               memcheck of the generator over all specs, and of the helpers
#   make bench                  parser throughput per format (docs/performance.md)
#   make kernels / validate     fetch real kernels, stap -p2 matrix (docs/kernels.md)
#   make helpers                check-debug-info, resolve-inlines, resolve-src-lines
#   make install                stapgen, helpers, KVER's tools as TOOL-stap, man pages, completion (PREFIX, DESTDIR)
#   make deps                   install build dependencies (Debian, as root)

SHELL := /bin/sh
CC ?= cc
KVER ?= $(shell uname -r)
BUILD ?= build
SAN ?=

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -g $(WARN)
ifeq ($(SAN),1)
OPT := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
else
OPT := -O2
endif
CFLAGS_ALL := $(BASE_CFLAGS) $(OPT) $(CFLAGS) -I$(BUILD)/gen/expr -Igen
LDLIBS_GEN := -lyaml

GEN_C := $(sort $(wildcard gen/*/*.c))
GEN_MAIN := gen/main.c
GEN_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(GEN_C)) \
	$(BUILD)/gen/expr/parser.o $(BUILD)/gen/expr/lexer.o $(BUILD)/gen/cmd_runtime.o
STAPGEN := $(BUILD)/stapgen

TEST_C := $(sort $(wildcard tests/unit/test_*.c))
TEST_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_C))

.PHONY: all tools tools-only check check-unit check-golden check-parsers check-asan check-hostile check-portable check-entry \
	check-commands check-fuzz-cmd check-flame check-browser check-install check-outdir install valgrind clean deps deps-tools dist check-dist fuzz kernels validate helpers \
	check-helpers valgrind-helpers bench check-tapset-rules check-docs check-layers
all: $(STAPGEN) helpers

# ---- the generator -------------------------------------------------------
# From git, bison (3.6 or newer: parser.y says why) and flex write the parser
# and the scanner.  A make dist tarball carries their output in PREGEN: it is
# used unless the grammar is newer (edited since), so no bison or flex needed.
PREGEN := gen/expr/generated
$(BUILD)/gen/expr/parser.c $(BUILD)/gen/expr/parser.h &: gen/expr/parser.y
	@mkdir -p $(dir $@)
	@if [ -f $(PREGEN)/parser.c ] && [ ! $(PREGEN)/parser.c -ot $< ]; then \
		echo "cp $(PREGEN)/parser.[ch] $(BUILD)/gen/expr/"; \
		cp $(PREGEN)/parser.c $(PREGEN)/parser.h $(BUILD)/gen/expr/; \
	else set -x; bison -Wall -Werror --defines=$(BUILD)/gen/expr/parser.h -o $(BUILD)/gen/expr/parser.c $<; fi

$(BUILD)/gen/expr/lexer.c $(BUILD)/gen/expr/lexer.h &: gen/expr/lexer.l $(BUILD)/gen/expr/parser.h
	@mkdir -p $(dir $@)
	@if [ -f $(PREGEN)/lexer.c ] && [ ! $(PREGEN)/lexer.c -ot $< ]; then \
		echo "cp $(PREGEN)/lexer.[ch] $(BUILD)/gen/expr/"; \
		cp $(PREGEN)/lexer.c $(PREGEN)/lexer.h $(BUILD)/gen/expr/; \
	else set -x; flex --header-file=$(BUILD)/gen/expr/lexer.h -o $(BUILD)/gen/expr/lexer.c $<; fi

# make dist [DISTDIR=.]: DISTDIR/stapgen-VERSION.tar.gz, the tracked files and
# PREGEN (scripts/dist.sh)
DISTDIR ?= .
dist: $(BUILD)/gen/expr/parser.c $(BUILD)/gen/expr/lexer.c
	@./scripts/dist.sh $(BUILD)/gen/expr "$(DISTDIR)"

# The tool commands' shared runtime, as a C string the generator writes
# beside every command (lib/stapgen-cmd.sh).
CMD_RT := templates/command/stapgen-cmd.sh
$(BUILD)/gen/cmd_runtime.c: $(CMD_RT) scripts/text2c.awk
	@mkdir -p $(dir $@)
	LC_ALL=C awk -v name=stapgen_cmd_runtime -f scripts/text2c.awk $(CMD_RT) >$@.tmp && mv -f $@.tmp $@
$(BUILD)/gen/cmd_runtime.o: $(BUILD)/gen/cmd_runtime.c
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# The tables the parser runtime shares with the generator (column types,
# histogram kinds, wire tags), as a header of the runtime: it travels with
# stapgen_rt*.[ch] into out/<KVER>/parsers/ (scripts/rt-tables.sh).
RT_TABLES_DEF := gen/tables/col_types.def gen/tables/hist_kinds.def gen/tables/wire_tags.def
RT_TABLES := templates/parser/stapgen_rt_tables.h
$(RT_TABLES): $(RT_TABLES_DEF) scripts/rt-tables.sh
	./scripts/rt-tables.sh $@ $(RT_TABLES_DEF)

# Generated scanner/parser code is not ours to lint: relax only what flex emits.
$(BUILD)/gen/expr/lexer.o: $(BUILD)/gen/expr/lexer.c
	$(CC) $(CFLAGS_ALL) -Wno-sign-compare -Wno-unused-function -Wno-shadow -c -o $@ $<
$(BUILD)/gen/expr/parser.o: $(BUILD)/gen/expr/parser.c $(BUILD)/gen/expr/lexer.h
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# -Wcast-qual: passes read the structures before them through const
# pointers; a cast that drops const would let one write them after all.
$(BUILD)/%.o: %.c $(BUILD)/gen/expr/parser.h $(BUILD)/gen/expr/lexer.h $(RT_TABLES)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Wcast-qual -MMD -MP -c -o $@ $<

$(STAPGEN): $(GEN_OBJ) $(BUILD)/gen/main.o
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_GEN)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---- helpers (OpenResty's check-debug-info, resolve-inlines, resolve-src-lines)
HELPERS := check-debug-info resolve-inlines resolve-src-lines
HELPER_BIN := $(addprefix $(BUILD)/helpers/,$(HELPERS))
LDLIBS_DW := -ldw -lelf
helpers: $(HELPER_BIN)

$(BUILD)/helpers/%.o: helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(BUILD)/helpers/check-debug-info: $(BUILD)/helpers/check_debug_info.o $(BUILD)/helpers/hlp.o
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_DW)
$(BUILD)/helpers/resolve-inlines: $(BUILD)/helpers/resolve_inlines.o $(BUILD)/helpers/resolve.o \
		$(BUILD)/helpers/hlp.o
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_DW)
$(BUILD)/helpers/resolve-src-lines: $(BUILD)/helpers/resolve_src_lines.o $(BUILD)/helpers/resolve.o \
		$(BUILD)/helpers/hlp.o
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_DW)

# ---- tools ---------------------------------------------------------------
SPECS := $(sort $(shell find specs -name '*.yaml'))
tools: deps-tools
	@$(MAKE) --no-print-directory tools-only
tools-only: $(STAPGEN) $(RT_TABLES)
	@./scripts/make-tools.sh $(STAPGEN) "$(KVER)" out $(SPECS)

# ---- install ---------------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=...] [KVER=...]: stapgen, the
# helpers, and the tools generated for KVER (into OUT/KVER first) with their
# parsers and man pages (scripts/install.sh).
# Their values reach the scripts through the environment, each as one
# argument: never pasted into the recipe, where a quote, a backtick or
# $(...) in DESTDIR would end the string or run.
PREFIX ?= /usr/local
# the installed commands' suffix: biolatency-stap, not libbpf-tools' biolatency
TOOL_SUFFIX ?= -stap
DESTDIR ?=
OUT ?= out
install: export DESTDIR := $(DESTDIR)
install: export PREFIX := $(PREFIX)
install: export OUT := $(OUT)
install: export KVER := $(KVER)
install: export TOOL_SUFFIX := $(TOOL_SUFFIX)
install: $(STAPGEN) $(RT_TABLES) helpers
	@./scripts/make-tools.sh $(STAPGEN) "$$KVER" "$$OUT" $(SPECS)
	@./scripts/install.sh "$$OUT/$$KVER" "$$KVER" "$$DESTDIR" "$$PREFIX" $(STAPGEN) $(HELPER_BIN)

# ---- tests ---------------------------------------------------------------
$(BUILD)/tests/%: tests/unit/%.c $(GEN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -Itests/unit -o $@ $< $(filter %.o,$^) $(LDLIBS_GEN) -lcmocka

# The parser runtime: templates/parser/stapgen_rt*.c (see stapgen_rt_int.h).
RT_C := $(sort $(wildcard templates/parser/stapgen_rt*.c))
RT_H := $(sort $(wildcard templates/parser/stapgen_rt*.h) $(RT_TABLES))
RT_OBJ := $(patsubst templates/parser/%.c,$(BUILD)/rt/%.o,$(RT_C))
$(BUILD)/rt/%.o: templates/parser/%.c $(RT_H)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# test_tables checks the runtime against the generator, test_rt tests the
# runtime: they link it.
$(BUILD)/tests/test_tables $(BUILD)/tests/test_rt: $(BUILD)/tests/%: tests/unit/%.c $(GEN_OBJ) $(RT_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(filter %.o,$^) $(LDLIBS_GEN) -lcmocka

check-unit: $(TEST_BIN)
	@set -e; for t in $(TEST_BIN); do echo "== $$t"; $$t; done

# selftest.sh: a failure names the golden's line and the update command
check-golden: $(STAPGEN)
	@./tests/golden/run.sh $(STAPGEN)
	@./tests/golden/diagnostics.sh $(STAPGEN)
	@./tests/golden/selftest.sh $(STAPGEN)

check-parsers: $(STAPGEN)
	@./tests/parsers/run.sh $(STAPGEN)
	@./tests/parsers/csv_dict.sh $(STAPGEN)
	@./tests/parsers/kind_code.sh $(STAPGEN)
# Flame graphs: structure, escaping, options, folded input, --diff (python3).
check-flame: $(STAPGEN) ; @./tests/flame/run.sh $(STAPGEN)
# The same graph in headless Chromium (zoom, search, reset); needs the Debian
# chromium package, not part of make check.  BROWSER_REQUIRED=1: fail without it.
BROWSER_REQUIRED ?= 0
# BROWSER_REQUIRED=1 (CI): chromium is installed first, and its absence fails.
check-browser: $(STAPGEN)
	$(if $(filter 1,$(BROWSER_REQUIRED)),@./scripts/deps.sh chromium)
	@BROWSER_REQUIRED=$(BROWSER_REQUIRED) ./tests/flame/browser.sh $(STAPGEN) || [ $$? -eq 77 ]
check-e2e: $(STAPGEN) ; @./tests/e2e/run.sh $(STAPGEN) || [ $$? -eq 77 ]
check-hostile: $(STAPGEN) ; @./tests/hostile/run.sh $(STAPGEN)
# make tools' parsers: static, each run in an empty chroot (root; 77 = skipped)
check-portable: $(STAPGEN) ; @./tests/portable/run.sh $(STAPGEN) || [ $$? -eq 77 ]
# make dist's tarball builds and makes every tool without bison or flex (77:
# not a git checkout)
check-dist: $(STAPGEN) ; @./tests/dist/run.sh $(STAPGEN) || [ $$? -eq 77 ]
check-entry: $(BUILD)/gen/main.o $(GEN_OBJ)
	@./tests/entry/run.sh $(BUILD) "$(CC)" $(CFLAGS_ALL)

check-commands: $(STAPGEN) ; @./tests/command/run.sh $(STAPGEN) && sh tests/command/headers_only.sh $(STAPGEN)
# The TF_DWARF rules of scripts/gen-tapset-funcs.sh on a fake tapset tree;
# tests/tapset-dwarf/run.sh (by hand: slow, needs the kernel cache) checks
# the real table against stap.
check-tapset-rules: ; @./tests/tapset-dwarf/rules.sh
# The commands' fuzzer: its committed corpus, then 5000 random cases (fixed
# seed); FUZZ_CMD_EXECS=1000000 for a long run (docs/hostile-input.md).
FUZZ_CMD_EXECS ?= 5000
check-fuzz-cmd: $(STAPGEN)
	@python3 tests/fuzz/cmd/fuzz_cmd.py $(STAPGEN) --replay tests/fuzz/cmd/corpus.jsonl
	@python3 tests/fuzz/cmd/fuzz_cmd.py $(STAPGEN) --execs $(FUZZ_CMD_EXECS) --seed $${FUZZ_CMD_SEED:-1}
check-install: $(STAPGEN) helpers ; @./tests/install/run.sh "$(MAKE)"
# Two versions of one spec generated into one directory at once, and the
# output directory's owner/mode/links (tests/outdir/run.sh).  make check runs
# 100 rounds and 2 of make-tools.sh; `make check-outdir OUTDIR_ROUNDS=300
# MT_ROUNDS=4` is the issue's figure (about 40 s).
OUTDIR_ROUNDS ?= 100
MT_ROUNDS ?= 2
check-outdir: $(STAPGEN)
	@MT_ROUNDS=$(MT_ROUNDS) ./tests/outdir/run.sh $(STAPGEN) $(OUTDIR_ROUNDS)

# The test program is always built with cc (gcc): the expected inline chains
# and lines are gcc's.  HELPER_WRAP runs every helper under valgrind.
check-helpers: $(HELPER_BIN) ; @./tests/helpers/run.sh $(BUILD)/helpers
HELPER_VG := valgrind -q --tool=memcheck --leak-check=full --show-leak-kinds=all \
	--errors-for-leak-kinds=all --error-exitcode=99 --num-callers=40 \
	--suppressions=$(CURDIR)/tests/helpers/valgrind.supp
valgrind-helpers: $(HELPER_BIN)
	@HELPER_WRAP='$(HELPER_VG)' ./tests/helpers/run.sh $(BUILD)/helpers

# Every relative link and #anchor of README.md and docs/*.md resolves (and
# the checker fails on broken ones: its self-test).
check-layers: ; @sh tests/layers/run.sh --self-test && sh tests/layers/run.sh
check-docs: ; @python3 tests/docs/links.py --self-test && python3 tests/docs/links.py && echo "check-docs: links ok"

check: deps
	@$(MAKE) --no-print-directory check-unit check-golden check-parsers check-flame check-fuzz-replay check-hostile \
		check-entry check-commands check-fuzz-cmd check-outdir check-install check-helpers check-live-unit check-validate-unit \
		check-portable check-dist check-tapset-rules check-docs check-layers
	@echo "make check: all passed"

check-asan:
	$(MAKE) BUILD=build-asan SAN=1 CC=clang check-unit check-golden check-parsers check-flame check-fuzz-replay check-entry \
		check-helpers \
		PARSER_CFLAGS='-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer'

valgrind: $(STAPGEN) valgrind-helpers
	@./scripts/valgrind-specs.sh $(STAPGEN) $(SPECS)

# Parser throughput per format against mawk/python baselines (docs/performance.md).
# Measures only; not part of make check.
bench: $(STAPGEN)
	@nice -n 10 ./scripts/bench.sh $(STAPGEN)

# ---- environment -----------------------------------------------------------
# make tools needs only TOOLS_PKGS: a compiler (with the static C library, for
# the parsers), libyaml, and bison and flex unless PREGEN has their output.
# make check and make deps add the tests' packages.
TOOLS_PKGS := build-essential libyaml-dev $(if $(wildcard $(PREGEN)/parser.c),,flex bison)
DEB_PKGS := $(TOOLS_PKGS) libcmocka-dev systemtap \
	clang libclang-rt-14-dev valgrind time python3 python3-yaml libdw-dev libelf-dev shellcheck \
	busybox-static rpm cpio systemtap-sdt-dev
deps:
	@./scripts/deps.sh $(DEB_PKGS)
deps-tools:
	@./scripts/deps.sh $(TOOLS_PKGS)

clean:
	rm -rf build build-asan out stapgen-*.tar.gz

include mk/fuzz.mk
include mk/kernels.mk
include mk/live.mk
