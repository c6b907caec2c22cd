# Test guests: freestanding Multiboot (v1) ELF32 kernels that tandem runs.
# Each is tests/guests/<name>.c linked with the runtime in tests/guests/lib/
# into build/guests/<name>.elf; tests/guests/<name>.expect says what its
# serial log must show (see tests/guests/README.md).
#
#   make guests    build every guest
#
# The host gcc builds them with -m32; no 32-bit libgcc is needed, as the
# runtime avoids anything (64-bit division) that would call into it.

GUEST_DIR     := tests/guests
GUEST_OUT     := $(BUILD)/guests
GUEST_CC      := gcc
GUEST_NASM    := nasm
GUEST_LD      := ld
GUEST_CFLAGS  := -m32 -std=gnu11 -ffreestanding -fno-pic -fno-stack-protector \
		 -nostdlib -mno-sse -mgeneral-regs-only \
		 -fno-asynchronous-unwind-tables -Wall -Wextra -Werror -O2 -g \
		 -I$(GUEST_DIR)/lib
GUEST_NFLAGS  := -f elf32 -Werror
GUEST_LDFLAGS := -m elf_i386 -T $(GUEST_DIR)/guest.ld -nostdlib \
		 -z max-page-size=0x1000

GUEST_NAMES   := $(basename $(notdir $(wildcard $(GUEST_DIR)/*.c)))
GUEST_ELFS    := $(patsubst %,$(GUEST_OUT)/%.elf,$(GUEST_NAMES))
GUEST_LIB_OBJ := $(patsubst $(GUEST_DIR)/%.c,$(GUEST_OUT)/%.o,\
		   $(wildcard $(GUEST_DIR)/lib/*.c)) \
		 $(patsubst $(GUEST_DIR)/%.asm,$(GUEST_OUT)/%.o,\
		   $(wildcard $(GUEST_DIR)/lib/*.asm))
GUEST_OBJ     := $(GUEST_LIB_OBJ) $(GUEST_ELFS:.elf=.o)

.PHONY: guests
guests: $(GUEST_ELFS)

$(GUEST_OUT)/%.o: $(GUEST_DIR)/%.c
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(GUEST_OUT)/%.o: $(GUEST_DIR)/%.asm
	@mkdir -p $(dir $@)
	$(GUEST_NASM) $(GUEST_NFLAGS) -MD $(@:.o=.d) -MP $< -o $@

$(GUEST_ELFS): $(GUEST_OUT)/%.elf: $(GUEST_OUT)/%.o $(GUEST_LIB_OBJ) \
		$(GUEST_DIR)/guest.ld
	$(GUEST_LD) $(GUEST_LDFLAGS) $< $(GUEST_LIB_OBJ) -o $@

# Keep the objects: make would otherwise delete them as intermediates.
.SECONDARY: $(GUEST_OBJ)

-include $(GUEST_OBJ:.o=.d)
