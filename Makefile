# tandem - build, image, run and test.
#
#   make          build/tandem.efi
#   make image    build/tandem.img (GPT disk with an EFI system partition)
#   make run      boot the image in an emulator, serial console on the terminal
#   make test     host unit tests + QEMU lane + Bochs lane, one summary line
#
# Every target that needs Debian packages installs the missing ones first
# (tools/deps).

BUILD   := build
CC      := gcc
LD      := ld
OBJCOPY := objcopy
NASM    := nasm

EFI_INC := /usr/include/efi
EFI_LIB := /usr/lib
EFI_LDS := $(EFI_LIB)/elf_x86_64_efi.lds
EFI_CRT := $(EFI_LIB)/crt0-efi-x86_64.o

WARN    := -Wall -Wextra -Werror
# The hypervisor never touches FPU/SSE state: the guest's stays untouched
# across exits and needs no saving (-mgeneral-regs-only).
CFLAGS  := -std=gnu11 $(WARN) -O2 -g -ffreestanding -fno-builtin -fpic \
	   -fshort-wchar -mno-red-zone -mgeneral-regs-only -fno-stack-protector \
	   -fno-strict-aliasing -fno-asynchronous-unwind-tables -fvisibility=hidden \
	   -DGNU_EFI_USE_MS_ABI -I. -I$(EFI_INC) -I$(EFI_INC)/x86_64
NFLAGS  := -f elf64 -Werror
LDFLAGS := -nostdlib -znocombreloc -T $(EFI_LDS) -shared -Bsymbolic \
	   -L$(EFI_LIB) --no-undefined

HV_DIRS := boot core arch/x86 drivers ft lib
HV_C    := $(foreach d,$(HV_DIRS),$(wildcard $(d)/*.c))
HV_ASM  := $(wildcard arch/x86/*.asm)
HV_OBJ  := $(patsubst %.c,$(BUILD)/hv/%.o,$(HV_C)) \
	   $(patsubst %.asm,$(BUILD)/hv/%.o,$(HV_ASM))

.PHONY: all image run test unit guests deps clean
all: $(BUILD)/tandem.efi

$(BUILD)/hv/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/hv/%.o: %.asm
	@mkdir -p $(dir $@)
	$(NASM) $(NFLAGS) -MD $(@:.o=.d) -MP $< -o $@

# GNU-EFI's libefi carries a memcpy and a memset that move one byte per
# iteration; tandem zeroes and fills guest RAM with them. A private copy
# of the library with those two weakened lets lib/string.c's (REP MOVSB /
# STOSB) take their place.
EFI_LIBS := $(BUILD)/libefi.a $(EFI_LIB)/libgnuefi.a

$(BUILD)/libefi.a: $(EFI_LIB)/libefi.a
	@mkdir -p $(dir $@)
	$(OBJCOPY) --weaken-symbol=memcpy --weaken-symbol=memset $< $@

$(BUILD)/tandem.so: $(HV_OBJ) $(BUILD)/libefi.a
	$(LD) $(LDFLAGS) $(EFI_CRT) $(HV_OBJ) -o $@ $(EFI_LIBS)

EFI_SECTIONS := -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel \
		-j .rela -j .reloc

$(BUILD)/tandem.efi: $(BUILD)/tandem.so
	$(OBJCOPY) $(EFI_SECTIONS) --target=efi-app-x86_64 $< $@

-include $(HV_OBJ:.o=.d)

include tests/guests/guests.mk
include tests/unit/unit.mk
include tools/tools.mk
include tools/bench/bench.mk
include tests/fuzz/fuzz.mk

deps:
	@tools/deps build

clean:
	rm -rf $(BUILD)
