; Guest entry. The loader leaves us as QEMU's -kernel does: 32-bit
; protected mode, paging off, EAX = boot magic, EBX = multiboot info.
; GDTR and IDTR are not valid, so load our own GDT before touching any
; segment register.

bits 32

MB_HEADER_MAGIC	equ 0x1BADB002
MB_HEADER_FLAGS	equ 0x00000003	; page-aligned modules, memory info wanted
STACK_SIZE	equ 16384

CODE_SEL	equ 0x08
DATA_SEL	equ 0x10

section .multiboot progbits alloc noexec nowrite align=4
	dd MB_HEADER_MAGIC
	dd MB_HEADER_FLAGS
	dd -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

section .text
global _start
extern guest_entry
extern __bss_start
extern __bss_end

_start:
	cli
	cld
	lgdt [gdt_desc]
	jmp CODE_SEL:.reload
.reload:
	mov cx, DATA_SEL
	mov ds, cx
	mov es, cx
	mov fs, cx
	mov gs, cx
	mov ss, cx
	mov esp, stack_top

	; A loader should zero BSS, but do not rely on it. EDX keeps the
	; magic across rep stosb (which uses EAX, ECX and EDI).
	mov edx, eax
	mov edi, __bss_start
	mov ecx, __bss_end
	sub ecx, edi
	xor eax, eax
	rep stosb

	push ebx		; multiboot info
	push edx		; boot magic
	call guest_entry
.halt:
	cli
	hlt
	jmp .halt

section .data
align 8
gdt:
	dq 0				; null
	dq 0x00CF9A000000FFFF		; 0x08: flat 32-bit code
	dq 0x00CF92000000FFFF		; 0x10: flat data
gdt_end:

gdt_desc:
	dw gdt_end - gdt - 1
	dd gdt

section .bss
align 16
	resb STACK_SIZE
stack_top:

section .note.GNU-stack noalloc noexec nowrite progbits
