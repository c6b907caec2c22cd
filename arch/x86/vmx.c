/* VT-x backend: enabling VMX, building the VMCS, entering the guest. The
 * exit table lives in vmx_exit.c. */
#include "arch/x86/cpu.h"
#include "arch/x86/host.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_check.h"
#include "lib/palloc.h"
#include "lib/print.h"
#include "lib/string.h"

#define HOST_STACK_PAGES	8

int vmx_enter(struct vcpu_regs *regs, int launched);
void vmx_exit_entry(void);

static uint32_t vmcs_revision;
static uint64_t vmx_basic;

static bool cpu_has_vmx(void)
{
	struct cpuid_regs r;

	cpuid_count(1, 0, &r);
	return r.ecx & (1u << 5);
}

/* IA32_FEATURE_CONTROL gates VMXON (SDM Vol. 3C, 24.7). Firmware normally
 * locks it; an unlocked MSR is ours to set. */
static int enable_feature_control(char *why, size_t len)
{
	uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);

	if (!(fc & FEATURE_CONTROL_LOCK)) {
		wrmsr(MSR_FEATURE_CONTROL, fc | FEATURE_CONTROL_VMXON |
			     FEATURE_CONTROL_LOCK);
		return 0;
	}
	if (fc & FEATURE_CONTROL_VMXON)
		return 0;
	tsnprintf(why, len, "VT-x is disabled by the firmware "
		  "(IA32_FEATURE_CONTROL locked with VMX off): enable "
		  "\"Intel Virtualization Technology\" (VT-x) in the "
		  "firmware setup");
	return -1;
}

/* Adjust desired control bits to what the CPU allows: bits 31:0 of the
 * capability MSR are the allowed 0-settings (must be 1), 63:32 the
 * allowed 1-settings (SDM Vol. 3D, A.3). 'required' bits must survive. */
static int adjust_controls(uint32_t msr, uint32_t want, uint32_t required,
			   uint32_t *out)
{
	uint64_t cap = rdmsr(msr);
	uint32_t v = (want | (uint32_t)cap) & (uint32_t)(cap >> 32);

	*out = v;
	return (v & required) == required ? 0 : -1;
}

static uint32_t true_msr(uint32_t msr)
{
	/* VMX_BASIC[55]: the TRUE_* MSRs exist and allow clearing
	 * default-1 controls such as CR3-load exiting (SDM A.2). */
	if (!(vmx_basic & (1ull << 55)))
		return msr;
	switch (msr) {
	case MSR_VMX_PIN: return MSR_VMX_TRUE_PIN;
	case MSR_VMX_PROC: return MSR_VMX_TRUE_PROC;
	case MSR_VMX_EXIT: return MSR_VMX_TRUE_EXIT;
	case MSR_VMX_ENTRY: return MSR_VMX_TRUE_ENTRY;
	}
	return msr;
}

static int vmxon(void)
{
	uint32_t *region = palloc_pages(1);
	uint64_t pa = (uint64_t)region;
	uint8_t fail;

	if (!region)
		return -1;
	region[0] = vmcs_revision;
	__asm__ volatile("vmxon %1; setna %0"
			 : "=q"(fail) : "m"(pa) : "cc", "memory");
	return fail ? -1 : 0;
}

int vcpu_hw_enable(char *why, size_t len)
{
	uint64_t cr0, cr4;

	if (!cpu_has_vmx()) {
		tsnprintf(why, len, "VT-x is not available: CPUID.1:ECX.VMX "
			  "is 0 (no Intel VT-x on this CPU, or the "
			  "hypervisor below does not expose nested VT-x)");
		return -1;
	}
	if (enable_feature_control(why, len))
		return -1;
	vmx_basic = rdmsr(MSR_VMX_BASIC);
	vmcs_revision = (uint32_t)vmx_basic & 0x7fffffff;
	/* CR0/CR4 must satisfy the VMX fixed bits before VMXON (24.8). */
	cr0 = (read_cr0() | rdmsr(MSR_VMX_CR0_FIXED0)) &
	      rdmsr(MSR_VMX_CR0_FIXED1);
	cr4 = (read_cr4() | rdmsr(MSR_VMX_CR4_FIXED0) | CR4_VMXE) &
	      rdmsr(MSR_VMX_CR4_FIXED1);
	write_cr0(cr0);
	write_cr4(cr4);
	if (vmxon()) {
		tsnprintf(why, len, "VMXON failed (VMX_BASIC 0x%lx)",
			  (unsigned long)vmx_basic);
		return -1;
	}
	return 0;
}

static int vmcs_load(struct vcpu *v)
{
	uint64_t pa;
	uint8_t fail;

	v->vmcs = palloc_pages(1);
	if (!v->vmcs)
		return -1;
	*(uint32_t *)v->vmcs = vmcs_revision;
	pa = (uint64_t)v->vmcs;
	__asm__ volatile("vmclear %1; setna %0"
			 : "=q"(fail) : "m"(pa) : "cc", "memory");
	if (fail)
		return -1;
	__asm__ volatile("vmptrld %1; setna %0"
			 : "=q"(fail) : "m"(pa) : "cc", "memory");
	return fail ? -1 : 0;
}

static int setup_controls(struct vcpu *v, char *err, size_t len)
{
	uint32_t pin, proc, proc2, exit, entry;
	uint64_t cap2 = rdmsr(MSR_VMX_PROC2) >> 32;

	proc2 = PROC2_EPT | PROC2_VPID | PROC2_UNRESTRICTED |
		PROC2_RDTSCP | PROC2_RDRAND_EXIT | PROC2_RDSEED_EXIT |
		PROC2_INVPCID;
	if (adjust_controls(true_msr(MSR_VMX_PIN), PIN_EXT_INT_EXIT |
			    PIN_NMI_EXIT | PIN_VIRTUAL_NMIS |
			    (v->poll_ticks ? PIN_PREEMPT_TIMER : 0),
			    PIN_EXT_INT_EXIT | PIN_NMI_EXIT, &pin) ||
	    adjust_controls(true_msr(MSR_VMX_PROC), PROC_HLT_EXIT |
			    PROC_RDTSC_EXIT | PROC_IO_BITMAPS |
			    PROC_MSR_BITMAPS | PROC_MWAIT_EXIT |
			    PROC_MONITOR_EXIT | PROC_RDPMC_EXIT |
			    PROC_SECONDARY,
			    PROC_HLT_EXIT | PROC_RDTSC_EXIT |
			    PROC_IO_BITMAPS | PROC_MSR_BITMAPS |
			    PROC_SECONDARY, &proc) ||
	    (proc & (PROC_CR3_LOAD_EXIT | PROC_CR3_STORE_EXIT)) ||
	    adjust_controls(true_msr(MSR_VMX_EXIT), EXIT_SAVE_DEBUG |
			    EXIT_HOST_64 | EXIT_ACK_INTR | EXIT_SAVE_PAT |
			    EXIT_LOAD_PAT | EXIT_SAVE_EFER | EXIT_LOAD_EFER,
			    EXIT_HOST_64 | EXIT_SAVE_EFER | EXIT_LOAD_EFER,
			    &exit) ||
	    adjust_controls(true_msr(MSR_VMX_ENTRY), ENTRY_LOAD_DEBUG |
			    ENTRY_LOAD_PAT | ENTRY_LOAD_EFER,
			    ENTRY_LOAD_EFER, &entry)) {
		tsnprintf(err, len, "this CPU lacks a VMX control tandem "
			  "needs (HLT/RDTSC/I-O/MSR exiting, EFER load/save)");
		return -1;
	}
	if ((cap2 & (PROC2_EPT | PROC2_UNRESTRICTED)) !=
	    (PROC2_EPT | PROC2_UNRESTRICTED)) {
		tsnprintf(err, len, "this CPU lacks EPT or unrestricted "
			  "guest (IA32_VMX_PROCBASED_CTLS2 0x%lx)",
			  (unsigned long)cap2);
		return -1;
	}
	if (!(pin & PIN_PREEMPT_TIMER))
		v->poll_ticks = 0;
	proc2 &= (uint32_t)cap2;
	vmwrite(PIN_CONTROLS, pin);
	vmwrite(PROC_CONTROLS, proc);
	vmwrite(PROC_CONTROLS2, proc2);
	vmwrite(EXIT_CONTROLS, exit);
	vmwrite(ENTRY_CONTROLS, entry);
	vmwrite(EXCEPTION_BITMAP, 0);
	vmwrite(CR3_TARGET_COUNT, 0);
	vmwrite(EXIT_MSR_STORE_COUNT, 0);
	vmwrite(EXIT_MSR_LOAD_COUNT, 0);
	vmwrite(ENTRY_MSR_LOAD_COUNT, 0);
	vmwrite(ENTRY_INTR_INFO, 0);
	if (proc2 & PROC2_VPID)
		vmwrite(VPID, 1);
	return 0;
}

/* Every port and every MSR exits, except the MSRs whose guest value the
 * CPU itself switches on entry and exit or that the host never uses. */
static int setup_bitmaps(void)
{
	static const uint32_t passthrough[] = {
		MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR,
		MSR_LSTAR, MSR_CSTAR, MSR_SFMASK, MSR_SYSENTER_CS,
		MSR_SYSENTER_ESP, MSR_SYSENTER_EIP, MSR_PAT,
	};
	uint8_t *io = palloc_pages(2), *msr = palloc_pages(1);

	if (!io || !msr)
		return -1;
	memset(io, 0xff, 2 * PAGE_SIZE);
	memset(msr, 0xff, PAGE_SIZE);
	/* MSR bitmap: read-low, read-high, write-low, write-high, 1 KiB
	 * each (SDM Vol. 3C, 25.6.9) */
	for (size_t i = 0; i < sizeof(passthrough) / sizeof(*passthrough);
	     i++) {
		uint32_t m = passthrough[i];
		uint32_t off = m >= 0xc0000000 ? 1024 : 0, bit = m & 0x1fff;

		msr[off + bit / 8] &= ~(1u << (bit % 8));
		msr[off + 2048 + bit / 8] &= ~(1u << (bit % 8));
	}
	vmwrite(IO_BITMAP_A, (uint64_t)io);
	vmwrite(IO_BITMAP_B, (uint64_t)io + PAGE_SIZE);
	vmwrite(MSR_BITMAP, (uint64_t)msr);
	return 0;
}

static void setup_host_state(uint8_t *stack_top)
{
	struct host_desc_table gdt, idt;

	host_gdtr(&gdt);
	host_idtr(&idt);
	vmwrite(HOST_CR0, read_cr0());
	vmwrite(HOST_CR3, read_cr3());
	vmwrite(HOST_CR4, read_cr4());
	vmwrite(HOST_CS_SEL, HOST_GDT_CODE);
	vmwrite(HOST_SS_SEL, HOST_GDT_DATA);
	vmwrite(HOST_DS_SEL, HOST_GDT_DATA);
	vmwrite(HOST_ES_SEL, HOST_GDT_DATA);
	vmwrite(HOST_FS_SEL, HOST_GDT_DATA);
	vmwrite(HOST_GS_SEL, HOST_GDT_DATA);
	vmwrite(HOST_TR_SEL, HOST_GDT_TSS);
	vmwrite(HOST_FS_BASE, 0);
	vmwrite(HOST_GS_BASE, 0);
	vmwrite(HOST_TR_BASE, host_tss_base());
	vmwrite(HOST_GDTR_BASE, gdt.base);
	vmwrite(HOST_IDTR_BASE, idt.base);
	vmwrite(HOST_SYSENTER_CS, 0);
	vmwrite(HOST_SYSENTER_ESP, 0);
	vmwrite(HOST_SYSENTER_EIP, 0);
	vmwrite(HOST_PAT, rdmsr(MSR_PAT));
	vmwrite(HOST_EFER, rdmsr(MSR_EFER));
	vmwrite(HOST_RSP, (uint64_t)stack_top);
	vmwrite(HOST_RIP, (uint64_t)vmx_exit_entry);
}

/* CR0/CR4 bits the guest may not own: those VMX fixes (NE, VMXE) and
 * those whose change needs our attention (PG, PE with EFER.LME). The
 * guest reads its own values from the read shadows (SDM 25.6.6). */
static void setup_cr_masks(struct vcpu *v)
{
	v->cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0) & ~(CR0_PE | CR0_PG);
	v->cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	v->cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	v->cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
	v->cr0_mask = v->cr0_fixed0 | ~v->cr0_fixed1 | CR0_PG | CR0_PE |
		      CR0_CD | CR0_NW;
	v->cr4_mask = v->cr4_fixed0 | ~v->cr4_fixed1 | CR4_PAE;
	vmwrite(CR0_GUEST_HOST_MASK, v->cr0_mask);
	vmwrite(CR4_GUEST_HOST_MASK, v->cr4_mask);
}

struct vcpu *vcpu_create(uint8_t *ram, uint64_t size, uint64_t poll_tsc,
			 char *err, size_t len)
{
	struct vcpu *v = palloc_pages(1);
	uint8_t *stack = palloc_pages(HOST_STACK_PAGES);
	uint64_t eptp = ept_build(ram, size);

	if (!v || !stack || !eptp) {
		tsnprintf(err, len, "out of memory for the vcpu and EPT");
		return NULL;
	}
	v->ram = ram;
	v->ram_size = size;
	/* The preemption timer ticks at TSC >> VMX_MISC[4:0] (SDM 26.5.1) */
	v->timer_shift = rdmsr(MSR_VMX_MISC) & 31;
	v->deadline = UINT64_MAX;
	if (poll_tsc)
		v->poll_ticks = (poll_tsc >> v->timer_shift) | 2;
	if (vmcs_load(v)) {
		tsnprintf(err, len, "VMCLEAR/VMPTRLD failed");
		return NULL;
	}
	if (setup_controls(v, err, len) || setup_bitmaps())
		return NULL;
	v->eptp = eptp;
	v->ept_pml4 = (uint64_t *)(eptp & ~0xfffull);
	v->budget = UINT64_MAX;
	vmwrite(EPT_POINTER, eptp);
	setup_host_state(stack + HOST_STACK_PAGES * PAGE_SIZE);
	setup_cr_masks(v);
	return v;
}

static void set_seg(enum vmx_seg s, uint16_t sel, uint64_t base,
		    uint32_t limit, uint32_t ar)
{
	vmwrite(GUEST_SEG(GUEST_ES_SEL, s), sel);
	vmwrite(GUEST_SEG(GUEST_ES_BASE, s), base);
	vmwrite(GUEST_SEG(GUEST_ES_LIMIT, s), limit);
	vmwrite(GUEST_SEG(GUEST_ES_AR, s), ar);
}

void vcpu_set_entry32(struct vcpu *v, uint32_t eip, uint32_t eax,
		      uint32_t ebx)
{
	/* code: type 0xb (execute/read, accessed), S, P, D/B, G */
	const uint32_t code = 0xc09b, data = 0xc093;
	uint64_t cr0 = CR0_PE | CR0_ET;

	for (int s = SEG_ES; s <= SEG_GS; s++)
		set_seg(s, 0x18, 0, 0xffffffff, data);
	set_seg(SEG_CS, 0x10, 0, 0xffffffff, code);
	set_seg(SEG_LDTR, 0, 0, 0, AR_UNUSABLE);
	set_seg(SEG_TR, 0, 0, 0xffff, 0x8b);	/* busy 32-bit TSS */
	vmwrite(GUEST_GDTR_BASE, 0);
	vmwrite(GUEST_GDTR_LIMIT, 0xffff);
	vmwrite(GUEST_IDTR_BASE, 0);
	vmwrite(GUEST_IDTR_LIMIT, 0xffff);
	vmwrite(CR0_READ_SHADOW, cr0);
	vmwrite(GUEST_CR0, (cr0 | v->cr0_fixed0) & v->cr0_fixed1);
	vmwrite(CR4_READ_SHADOW, 0);
	vmwrite(GUEST_CR4, v->cr4_fixed0 & v->cr4_fixed1);
	vmwrite(GUEST_CR3, 0);
	vmwrite(GUEST_DR7, 0x400);
	vmwrite(GUEST_RSP, 0);
	vmwrite(GUEST_RIP, eip);
	vmwrite(GUEST_RFLAGS, 0x2);
	vmwrite(GUEST_PENDING_DBG, 0);
	vmwrite(GUEST_INTERRUPTIBILITY, 0);
	vmwrite(GUEST_ACTIVITY_STATE, 0);
	vmwrite(GUEST_SYSENTER_CS, 0);
	vmwrite(GUEST_SYSENTER_ESP, 0);
	vmwrite(GUEST_SYSENTER_EIP, 0);
	vmwrite(GUEST_DEBUGCTL, 0);
	vmwrite(GUEST_PAT, 0x0007040600070406ull);	/* power-on PAT */
	vmwrite(GUEST_EFER, 0);
	vmwrite(VMCS_LINK_POINTER, ~0ull);
	vmwrite(ENTRY_CONTROLS, vmread(ENTRY_CONTROLS) & ~ENTRY_IA32E);
	vmwrite(ENTRY_INTR_INFO, 0);
	vcpu_request_irq_window(v, false);
	v->pending = PENDING_NONE;
	memset(&v->regs, 0, sizeof(v->regs));
	v->regs.rax = eax;
	v->regs.rbx = ebx;
}

void vcpu_set_entry64(struct vcpu *v, uint64_t rip, uint64_t rsi,
		      uint64_t cr3, uint64_t gdt_base, uint16_t gdt_limit)
{
	/* code: type 0xb, S, P, L (64-bit), G; data segments as set by
	 * vcpu_set_entry32 */
	const uint32_t code = 0xa09b;
	uint64_t cr0 = CR0_PE | CR0_ET | CR0_PG, cr4 = CR4_PAE;

	vcpu_set_entry32(v, 0, 0, 0);
	for (int s = SEG_ES; s <= SEG_GS; s++)
		vmwrite(GUEST_SEG(GUEST_ES_SEL, s), 0x18);
	set_seg(SEG_CS, 0x10, 0, 0xffffffff, code);
	vmwrite(GUEST_GDTR_BASE, gdt_base);
	vmwrite(GUEST_GDTR_LIMIT, gdt_limit);
	vmwrite(CR0_READ_SHADOW, cr0);
	vmwrite(GUEST_CR0, (cr0 | v->cr0_fixed0) & v->cr0_fixed1);
	vmwrite(CR4_READ_SHADOW, cr4);
	vmwrite(GUEST_CR4, (cr4 | v->cr4_fixed0) & v->cr4_fixed1);
	vmwrite(GUEST_CR3, cr3);
	vmwrite(GUEST_EFER, EFER_LME | EFER_LMA);
	vmwrite(ENTRY_CONTROLS, vmread(ENTRY_CONTROLS) | ENTRY_IA32E);
	vmwrite(GUEST_RIP, rip);
	v->regs.rsi = rsi;
}

bool vcpu_irq_ready(struct vcpu *v)
{
	(void)v;
	return (vmread(GUEST_RFLAGS) & RFLAGS_IF) &&
	       !(vmread(GUEST_INTERRUPTIBILITY) & 3) &&
	       !(vmread(ENTRY_INTR_INFO) & INTR_INFO_VALID);
}

void vcpu_inject_irq(struct vcpu *v, uint8_t vector)
{
	(void)v;
	vmwrite(ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_EXT | vector);
}

/* Called on every turn of the main loop: write the control only when it
 * changes (the VMCS, not a cached copy, says what it is, so a restored
 * snapshot cannot leave the two apart). */
void vcpu_request_irq_window(struct vcpu *v, bool on)
{
	uint32_t proc = (uint32_t)vmread(PROC_CONTROLS);
	uint32_t want = on ? proc | PROC_IRQ_WINDOW_EXIT
			   : proc & ~PROC_IRQ_WINDOW_EXIT;

	(void)v;
	if (want != proc)
		vmwrite(PROC_CONTROLS, want);
}

void vcpu_set_deadline(struct vcpu *v, uint64_t deadline)
{
	v->deadline = deadline;
}

/* Preemption timer for this entry: up to the deadline, at most the poll
 * quantum, at least 2 (Bochs runs N-1 instructions for a value N, and 0
 * would make no progress). */
static uint64_t timer_value(struct vcpu *v)
{
	uint64_t now = rdtsc(), ticks = v->poll_ticks;

	if (v->deadline != UINT64_MAX) {
		uint64_t d = v->deadline > now ?
			     (v->deadline - now) >> v->timer_shift : 0;

		if (d < ticks)
			ticks = d;
	}
	if (ticks > 0xffffffffull)
		ticks = 0xffffffffull;
	return vmx_counter_timer(v, ticks < 2 ? 2 : ticks);
}

static void entry_failed(struct vcpu *v, int rc, struct vcpu_exit *e)
{
	uint32_t err = rc == 2 ? (uint32_t)vmread(VM_INSTR_ERROR) : 0;

	e->kind = VCPU_EXIT_FAILED;
	e->fail.reason = err;
	e->fail.qual = 0;
	tsnprintf(e->fail.what, sizeof(e->fail.what),
		  "%s failed: %s (VM-instruction error %u)",
		  v->launched ? "VMRESUME" : "VMLAUNCH",
		  rc == 2 ? vmx_instr_error_name(err)
			  : "VMfailInvalid: no current VMCS", err);
	if (err == 7 || err == 8)
		vmx_check_report();	/* which check: the CPU won't say */
	v->pending = PENDING_DEAD;
}

void vcpu_run(struct vcpu *v, struct vcpu_exit *e)
{
	if (v->pending == PENDING_DEAD) {
		e->kind = VCPU_EXIT_FAILED;
		return;
	}
	for (;;) {
		int rc;

		if (v->counting && !v->budget) {
			e->kind = VCPU_EXIT_BUDGET;
			return;
		}
		if (v->poll_ticks)
			vmwrite(PREEMPTION_TIMER, timer_value(v));
		vmx_counter_entry(v);
		vmx_step_entry(v);
		rc = vmx_enter(&v->regs, v->launched);
		if (rc) {
			entry_failed(v, rc, e);
			return;
		}
		v->launched = true;
		vmx_step_exit(v);
		vmx_counter_exit(v);
		if (!vmx_handle_exit(v, e))
			continue;
		if (e->kind == VCPU_EXIT_TIMER && v->counting && !v->budget)
			e->kind = VCPU_EXIT_BUDGET;
		return;
	}
}

void vcpu_complete(struct vcpu *v, struct vcpu_exit *e)
{
	if (v->pending != PENDING_DEAD)
		vmx_complete(v, e);
}

void vcpu_get_ctl(struct vcpu *v, struct vcpu_ctl *ctl)
{
	ctl->cr0 = vmx_guest_cr0(v);
	ctl->cr4 = vmx_guest_cr4(v);
	ctl->efer = vmread(GUEST_EFER);
}

size_t vcpu_exit_counts(struct vcpu *v, struct vcpu_exit_count *out,
			size_t max)
{
	size_t n = 0;

	for (uint32_t r = 0; r < VMX_EXIT_REASONS && n < max; r++) {
		if (!v->exits[r])
			continue;
		out[n].name = vmx_exit_name(r);
		out[n].count = v->exits[r];
		n++;
	}
	return n;
}

uint64_t vcpu_exits_total(struct vcpu *v)
{
	return v->exits_total;
}
