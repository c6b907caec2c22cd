# Image, launcher and test targets (included by the top-level Makefile).
#
#   make image    build/tandem.img: GPT disk, one EFI system partition with
#                 \EFI\BOOT\BOOTX64.EFI, tandem.cfg and the guest
#                 (IMAGE_CFG, IMAGE_GUEST choose them)
#   make run      boot it: QEMU/KVM with nested VT-x if the host has it,
#                 else Bochs (software VT-x); RUN_ARGS go to tools/run,
#                 e.g. make run RUN_ARGS="--emu qemu-tcg"
#   make run-linux  boot Debian's cloud kernel (fetched with apt-get
#                 download) and the test initramfs to a shell, in the same
#                 way; the image is build/tandem-linux.img
#   build/tools/logdump  print an epoch log (built by make)
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

LINUX_IMAGE := $(BUILD)/tandem-linux.img

.PHONY: image run run-linux test

# tools/logdump: the epoch log decoder, on the same pure codec as tandem.
LOGDUMP     := $(BUILD)/tools/logdump
LOGDUMP_SRC := tools/logdump.c ft/eplog.c ft/crc32c.c lib/print.c \
	       arch/x86/vmx_names.c

all: $(LOGDUMP)

$(LOGDUMP): $(LOGDUMP_SRC) ft/eplog.h ft/crc32c.h lib/print.h arch/x86/vcpu.h
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=gnu11 -O2 -Wall -Wextra -Werror -I. -o $@ \
		$(LOGDUMP_SRC)

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

run-linux:
	@tools/deps run
	@tools/deps linux
	@$(MAKE) --no-print-directory $(BUILD)/tandem.efi $(MKGPT)
	@tests/linux/fetch-kernel cloud >/dev/null
	@tests/linux/mkinitramfs >/dev/null
	MKGPT=$(MKGPT) tools/mkimage $(LINUX_IMAGE) $(BUILD)/tandem.efi \
		tools/tandem-linux.cfg $(BUILD)/linux/vmlinuz-cloud=vmlinuz \
		$(BUILD)/linux/initramfs.cpio.gz=initrd.img
	tools/run --image $(LINUX_IMAGE) --megs 512 $(RUN_ARGS)

test:
	@tools/deps test
	@tests/run $(TEST_LANES)
