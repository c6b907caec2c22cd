# Host unit tests of the pure modules: `make unit` builds every test
# binary into $(BUILD)/unit/ with the host compiler and sanitizers, runs
# them all, and fails if any case failed. Each case prints one line,
# "PASS unit/<binary>/<case>" or "FAIL unit/<binary>/<case>: <reason>".
#
# The modules link against the host libc, not lib/string.c: their
# lib/string.h functions have the standard names and signatures.

UNIT_CC     := gcc
UNIT_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -g -I. \
	       -fno-sanitize-recover=all -fno-omit-frame-pointer
UNIT_TESTS  := config multiboot print devices vmx_check vmx_names monitor console \
	       cpuid
UNIT_TESTS  += linux acpi
UNIT_TESTS  += frame link linkcfg
UNIT_TESTS  += eplog skid insn
UNIT_TESTS  += pmu_calc
UNIT_BINS   := $(addprefix $(BUILD)/unit/,$(UNIT_TESTS))
UNIT_HDRS   := $(wildcard tests/unit/*.h) lib/print.h lib/string.h \
	       core/config.h core/multiboot.h core/monitor.h core/console.h \
	       core/cpuid.h core/machine.h core/boot_info.h drivers/serial.h \
	       arch/x86/cpu.h arch/x86/vcpu.h arch/x86/vmcs.h arch/x86/vmx.h \
	       arch/x86/vmx_check.h arch/x86/pmu_calc.h arch/x86/insn.h core/pic.h core/pit.h \
	       core/rtc.h core/guestlog.h core/env.h core/vdev.h lib/time.h
UNIT_HDRS   += core/linux.h core/acpi.h
UNIT_HDRS   += ft/frame.h ft/link.h ft/link_config.h ft/crc32c.h \
	       ft/siphash.h drivers/nic.h drivers/pci.h ft/eplog.h \
	       ft/digest.h ft/snapshot.h ft/skid.h

# AddressSanitizer where it works here (it needs to map its shadow memory
# and, for leak checks, ptrace); UndefinedBehaviorSanitizer alone if not.
# Probed once, when a test binary is first built.
UNIT_SAN = $(or $(UNIT_SAN_CACHE),$(eval UNIT_SAN_CACHE := $(shell \
	mkdir -p $(BUILD)/unit && \
	echo 'int main(void) { return 0; }' | \
	$(UNIT_CC) -fsanitize=address,undefined -x c - \
		-o $(BUILD)/unit/.asan-probe >/dev/null 2>&1 && \
	$(BUILD)/unit/.asan-probe >/dev/null 2>&1 && \
	echo address,undefined || echo undefined))$(UNIT_SAN_CACHE))

$(BUILD)/unit/config: tests/unit/test_config.c core/config.c lib/print.c
$(BUILD)/unit/multiboot: tests/unit/test_multiboot.c core/multiboot.c \
			 lib/print.c
$(BUILD)/unit/print: tests/unit/test_print.c lib/print.c
$(BUILD)/unit/devices: tests/unit/test_devices.c core/pic.c core/pit.c \
		       core/rtc.c core/guestlog.c lib/time.c lib/print.c
# arch/ objects with VMREAD/RDMSR never link here: only the pure checker
# and the name tables.
$(BUILD)/unit/vmx_check: tests/unit/test_vmx_check.c arch/x86/vmx_check.c \
			 lib/print.c
$(BUILD)/unit/vmx_names: tests/unit/test_vmx_names.c arch/x86/vmx_names.c
$(BUILD)/unit/insn: tests/unit/test_insn.c arch/x86/insn.c
$(BUILD)/unit/pmu_calc: tests/unit/test_pmu_calc.c arch/x86/pmu_calc.c
$(BUILD)/unit/monitor: tests/unit/test_monitor.c core/monitor.c lib/print.c
$(BUILD)/unit/console: tests/unit/test_console.c core/console.c lib/print.c
$(BUILD)/unit/cpuid: tests/unit/test_cpuid.c core/cpuid.c
$(BUILD)/unit/linux: tests/unit/test_linux.c core/linux.c lib/print.c
$(BUILD)/unit/acpi: tests/unit/test_acpi.c core/acpi.c
$(BUILD)/unit/frame: tests/unit/test_frame.c ft/frame.c ft/crc32c.c \
		     ft/siphash.c
$(BUILD)/unit/link: tests/unit/test_link.c ft/link.c ft/frame.c ft/crc32c.c \
		    ft/siphash.c lib/print.c
$(BUILD)/unit/eplog: tests/unit/test_eplog.c ft/eplog.c ft/digest.c \
		     ft/snapshot.c ft/crc32c.c lib/print.c
$(BUILD)/unit/skid: tests/unit/test_skid.c ft/skid.c lib/print.c
$(BUILD)/unit/linkcfg: tests/unit/test_linkcfg.c ft/link_config.c \
		       drivers/nic_sel.c core/config.c lib/print.c

$(UNIT_BINS): $(UNIT_HDRS) tests/unit/unit.mk
	@mkdir -p $(dir $@)
	$(UNIT_CC) $(UNIT_CFLAGS) -fsanitize=$(UNIT_SAN) \
		$(filter %.c,$^) -o $@

# Run every binary even after a failure; fail at the end.
.PHONY: unit
unit: $(UNIT_BINS)
	@failed=0; \
	for t in $(UNIT_BINS); do \
		$$t || failed=1; \
	done; \
	exit $$failed
