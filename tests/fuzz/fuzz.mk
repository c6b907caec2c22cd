# Fuzzing of the link's frame parser and protocol (libFuzzer, clang).
#
#   make fuzz                 build, then fuzz for FUZZ_TIME seconds (60)
#   make fuzz FUZZ_TIME=600   longer
#
# The corpus grows in $(BUILD)/fuzz/corpus, seeded with valid frames
# (fuzz_link.c built with -DMKSEEDS); crashes are written to
# $(BUILD)/fuzz/ as crash-* and fail the target. Needs clang with
# libFuzzer (tools/deps fuzz).

FUZZ_CC   ?= clang
FUZZ_TIME ?= 60
FUZZ_SRC  := tests/fuzz/fuzz_link.c ft/link.c ft/frame.c ft/crc32c.c \
	     ft/siphash.c lib/print.c
FUZZ_HDRS := ft/link.h ft/frame.h ft/crc32c.h ft/siphash.h lib/print.h
FUZZ_BIN  := $(BUILD)/fuzz/fuzz_link
FUZZ_SEED := $(BUILD)/fuzz/mkseeds

$(FUZZ_BIN): $(FUZZ_SRC) $(FUZZ_HDRS) tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -g -O1 -I. -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $(FUZZ_SRC) -o $@

$(FUZZ_SEED): $(FUZZ_SRC) $(FUZZ_HDRS) tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -g -O1 -I. -Wall -Wextra -Werror -DMKSEEDS \
		-fsanitize=fuzzer-no-link $(FUZZ_SRC) -o $@

.PHONY: fuzz
fuzz:
	@tools/deps fuzz
	@$(MAKE) --no-print-directory $(FUZZ_BIN) $(FUZZ_SEED)
	@mkdir -p $(BUILD)/fuzz/corpus
	@$(FUZZ_SEED) $(BUILD)/fuzz/corpus
	cd $(BUILD)/fuzz && ./fuzz_link -max_total_time=$(FUZZ_TIME) \
		-max_len=1600 -print_final_stats=1 corpus

# The epoch log decoder (ft/eplog.c): make fuzz-eplog, FUZZ_TIME seconds.
FUZZ_EPLOG_SRC := tests/fuzz/fuzz_eplog.c ft/eplog.c ft/crc32c.c lib/print.c
FUZZ_EPLOG_BIN := $(BUILD)/fuzz/fuzz_eplog

$(FUZZ_EPLOG_BIN): $(FUZZ_EPLOG_SRC) ft/eplog.h ft/crc32c.h tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -g -O1 -I. -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $(FUZZ_EPLOG_SRC) -o $@

.PHONY: fuzz-eplog
fuzz-eplog:
	@tools/deps fuzz
	@$(MAKE) --no-print-directory $(FUZZ_EPLOG_BIN)
	@mkdir -p $(BUILD)/fuzz/corpus-eplog
	cd $(BUILD)/fuzz && ./fuzz_eplog -max_total_time=$(FUZZ_TIME) \
		-max_len=4096 -print_final_stats=1 corpus-eplog
