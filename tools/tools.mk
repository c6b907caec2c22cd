# Image, launcher and test targets (included by the top-level Makefile).
#
#   make image    build/tandem.img: GPT disk, one EFI system partition with
#                 \EFI\BOOT\BOOTX64.EFI, tandem.cfg and the guest
#                 (IMAGE_CFG, IMAGE_GUEST choose them)
#   make run      boot it: QEMU/KVM with nested VT-x if the host has it,
#                 else Bochs (software VT-x); RUN_ARGS go to tools/run,
#                 e.g. make run RUN_ARGS="--emu qemu-tcg"
#   make test     tests/run: unit, qemu and bochs lanes, one summary line
#                 (TEST_LANES picks lanes, e.g. make test TEST_LANES=qemu)
#
# Each installs the Debian packages it needs first (tools/deps), then
# builds with a recursive make, so that the tools exist before any rule
# that needs them runs.

HOSTCC      ?= gcc
MKGPT       := $(BUILD)/tools/mkgpt
IMAGE       := $(BUILD)/tandem.img
IMAGE_CFG   ?= tools/tandem.cfg.default
IMAGE_GUEST ?= $(BUILD)/guests/hello.elf
RUN_ARGS    ?=
TEST_LANES  ?=

.PHONY: image run test

$(MKGPT): tools/mkgpt.c
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=gnu11 -O2 -Wall -Wextra -Werror -o $@ $<

$(IMAGE): $(BUILD)/tandem.efi $(IMAGE_CFG) $(IMAGE_GUEST) $(MKGPT) \
	  tools/mkimage
	MKGPT=$(MKGPT) tools/mkimage $@ $(BUILD)/tandem.efi $(IMAGE_CFG) \
		$(IMAGE_GUEST)

image:
	@tools/deps build
	@$(MAKE) --no-print-directory $(IMAGE)

run:
	@tools/deps run
	@$(MAKE) --no-print-directory $(IMAGE)
	tools/run --image $(IMAGE) $(RUN_ARGS)

test:
	@tools/deps test
	@tests/run $(TEST_LANES)
