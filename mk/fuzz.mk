# Fuzzing (included by the Makefile).
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_RSS_MB=100]
#       builds the libFuzzer harnesses in tests/fuzz/ (fuzz_spec, fuzz_expr,
#       fuzz_rt, fuzz_explain) with clang
#       -fsanitize=fuzzer,address,undefined into build-fuzz/ and runs each for
#       FUZZ_SECONDS (seeded from specs/, tests/golden/errors/, tests/parsers/
#       and tests/fuzz/seeds/; the growing corpus stays in build-fuzz/corpus/).
#       Fails when a harness finds a crash, a leak, a timeout or an input that
#       needs more than FUZZ_RSS_MB: the input is left in build-fuzz/crashes/.
#   make check-fuzz-replay
#       replays tests/fuzz/regress/<harness>/* (every input a fuzzer ever
#       crashed on) and the seeds through the harnesses built with $(CC) and
#       a plain main(): part of `make check` and `make check-asan`.

FUZZ_SECONDS ?= 60
FUZZ_RSS_MB ?= 100
FUZZ_CC ?= clang
FUZZ_BUILD := build-fuzz
FUZZ_HARNESSES := fuzz_spec fuzz_expr fuzz_rt fuzz_explain

.PHONY: fuzz fuzz-build check-fuzz-replay

fuzz: deps
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) SAN=1 CC=$(FUZZ_CC) \
		CFLAGS=-fsanitize=fuzzer-no-link fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RSS_MB=$(FUZZ_RSS_MB) \
		./tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_HARNESSES)

# Built by the recursive make above, where BUILD=build-fuzz, SAN=1 and every
# generator object is compiled with -fsanitize=fuzzer-no-link.
fuzz-build: $(patsubst %,$(BUILD)/fuzz/%,$(FUZZ_HARNESSES))

$(BUILD)/fuzz/fuzz_spec $(BUILD)/fuzz/fuzz_expr $(BUILD)/fuzz/fuzz_explain: $(BUILD)/fuzz/%: tests/fuzz/%.c $(GEN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -fsanitize=fuzzer -o $@ $^ $(LDLIBS_GEN)

# A small report-block limit, so that short inputs reach the block splitting.
FUZZ_RT_FLAGS := -Itemplates/parser -DSG_MAX_BLOCK_BYTES=4096

# fuzz_rt includes the golden tcp_conn parser (its per-kind code).
$(BUILD)/fuzz/fuzz_rt: tests/fuzz/fuzz_rt.c tests/golden/tools/tcp_conn_parser.c $(RT_C) $(RT_H)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(FUZZ_RT_FLAGS) -fsanitize=fuzzer -o $@ $(filter-out tests/golden/%,$(filter %.c,$^))

# The same harnesses with a main() that runs them over files.
FUZZ_REPLAY_BIN := $(patsubst %,$(BUILD)/fuzz-replay/%,$(FUZZ_HARNESSES))

$(BUILD)/fuzz-replay/fuzz_spec $(BUILD)/fuzz-replay/fuzz_expr $(BUILD)/fuzz-replay/fuzz_explain: $(BUILD)/fuzz-replay/%: \
		tests/fuzz/%.c tests/fuzz/replay_main.c $(GEN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_GEN)

$(BUILD)/fuzz-replay/fuzz_rt: tests/fuzz/fuzz_rt.c tests/fuzz/replay_main.c \
		tests/golden/tools/tcp_conn_parser.c $(RT_C) $(RT_H)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(FUZZ_RT_FLAGS) -o $@ $(filter-out tests/golden/%,$(filter %.c,$^))

check-fuzz-replay: $(FUZZ_REPLAY_BIN)
	@./tests/fuzz/replay.sh $(BUILD)/fuzz-replay $(FUZZ_HARNESSES)

# AFL++ beside libFuzzer, on one harness at a time (the same LLVMFuzzerTestOneInput,
# linked with AFL++'s driver; ASan + UBSan as above):
#   make fuzz-afl [AFL_HARNESS=fuzz_explain] [AFL_SECONDS=600]
# Output, the queue and crashes, in build-afl/afl/<harness>/; a crash fails the run.
AFL_HARNESS ?= fuzz_explain
AFL_SECONDS ?= 600
.PHONY: fuzz-afl
fuzz-afl:
	@./scripts/deps.sh afl++
	@$(MAKE) --no-print-directory BUILD=build-afl SAN=1 CC=afl-clang-fast \
		CFLAGS=-fsanitize=fuzzer-no-link build-afl/fuzz/$(AFL_HARNESS)
	@AFL_SECONDS=$(AFL_SECONDS) ./tests/fuzz/afl.sh build-afl $(AFL_HARNESS)
