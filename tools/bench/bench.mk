# Benchmark helpers: the native baseline of tools/bench-boot.
#
#   make bench-native   build/bench/native_cpuid.efi

BENCH_OUT := $(BUILD)/bench
BENCH_OBJ := $(BENCH_OUT)/native_cpuid.o $(BUILD)/hv/drivers/serial.o \
	     $(BUILD)/hv/lib/print.o $(BUILD)/hv/lib/string.o

.PHONY: bench-native
bench-native: $(BENCH_OUT)/native_cpuid.efi

$(BENCH_OUT)/native_cpuid.o: tools/bench/native_cpuid.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BENCH_OUT)/native_cpuid.so: $(BENCH_OBJ) $(BUILD)/libefi.a
	$(LD) $(LDFLAGS) $(EFI_CRT) $(BENCH_OBJ) -o $@ $(EFI_LIBS)

$(BENCH_OUT)/native_cpuid.efi: $(BENCH_OUT)/native_cpuid.so
	$(OBJCOPY) $(EFI_SECTIONS) --target=efi-app-x86_64 $< $@
