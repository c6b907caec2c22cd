; Host exception entry: one stub per vector pushes a uniform frame
; (vector, error code) and calls trap_handler(frame), which never returns.
; The NMI vector alone returns (nmi_entry).
default rel
bits 64
section .text

extern trap_handler

%macro TRAP_NOERR 1
trap_%1:
	push 0
	push %1
	jmp trap_common
%endmacro

%macro TRAP_ERR 1
trap_%1:
	push %1
	jmp trap_common
%endmacro

; vectors that push an error code (SDM Vol. 3A, Table 6-1)
%assign v 0
%rep 32
%if v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30
	TRAP_ERR v
%else
	TRAP_NOERR v
%endif
%assign v v+1
%endrep

trap_common:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	mov rdi, rsp
	and rsp, ~0xf
	call trap_handler wrt ..plt
.hang:
	cli
	hlt
	jmp .hang

; NMI: the only one expected is the PMU counter's overflow interrupt
; (vmx_pmu.c) arriving after the VM exit rather than causing it. It is
; counted and dismissed; its IRET also ends NMI blocking (SDM Vol. 3A,
; 6.7.1 "Handling Multiple NMIs").
nmi_entry:
	lock inc qword [host_nmis]
	iretq

; void host_nmi_unblock(void): an IRET to the next instruction. An NMI
; that causes a VM exit blocks later NMIs once the exit completes (SDM
; Vol. 3C, 28.1 "Architectural State Before a VM Exit"), until an IRET;
; this is that IRET, so that a PMI coming while tandem runs is taken by
; nmi_entry rather than held for the guest's entry.
global host_nmi_unblock:function hidden
host_nmi_unblock:
	mov rcx, rsp
	mov eax, ss
	push rax
	push rcx
	pushfq
	mov eax, cs
	push rax
	lea rax, [.back]
	push rax
	iretq
.back:
	ret

section .data
global host_nmis:data hidden
host_nmis:
	dq 0

global trap_stubs:data hidden
trap_stubs:
%assign v 0
%rep 32
%if v == 2
	dq nmi_entry
%else
	dq trap_ %+ v
%endif
%assign v v+1
%endrep

section .text
; void host_switch_stack(void *top, void (*fn)(void *), void *arg)
global host_switch_stack:function hidden
host_switch_stack:
	mov rsp, rdi
	mov rdi, rdx
	xor ebp, ebp
	call rsi
	ud2

section .note.GNU-stack noalloc noexec nowrite progbits
