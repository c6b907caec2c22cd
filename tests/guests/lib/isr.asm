; Interrupt stubs for all 256 vectors. Each pushes a dummy error code
; where the CPU pushes none, so that isr_dispatch sees one frame layout
; (struct trap_frame in guest.h), then its vector number.

bits 32

section .text
global isr_stubs
extern isr_dispatch

%assign v 0
%rep 256
isr_stub_ %+ v:
%if v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30
%else
	push dword 0
%endif
	push dword v
	jmp isr_common
%assign v v + 1
%endrep

; The handler may rewrite the saved registers and EIP: they are restored
; from the frame.
isr_common:
	pushad
	push esp
	call isr_dispatch
	add esp, 4
	popad
	add esp, 8		; vector, error code
	iretd

section .rodata
align 4
isr_stubs:
%assign v 0
%rep 256
	dd isr_stub_ %+ v
%assign v v + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
