/* VM exits: one table keyed by basic exit reason (SDM Vol. 3D, App. C).
 * Every exit is counted. CPU-state exits are finished here; the rest are
 * described to core/ through struct vcpu_exit and completed by
 * vmx_complete() (vcpu_complete()) with core/'s answer. */
#include "arch/x86/cpu.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_check.h"
#include "lib/palloc.h"
#include "lib/print.h"
#include "lib/string.h"

#define EXIT_REASON_ENTRY_FAIL	(1u << 31)
#define EXC_UD			6
#define EXC_GP			13

enum {
	EXIT_EXC_NMI = 0, EXIT_EXTINT = 1, EXIT_TRIPLE = 2,
	EXIT_IRQ_WINDOW = 7, EXIT_CPUID = 10,
	EXIT_GETSEC = 11, EXIT_HLT = 12, EXIT_INVD = 13, EXIT_RDPMC = 15,
	EXIT_RDTSC = 16, EXIT_VMCALL = 18, EXIT_VMXON = 27, EXIT_CR = 28,
	EXIT_IO = 30, EXIT_RDMSR = 31, EXIT_WRMSR = 32, EXIT_MWAIT = 36,
	EXIT_MTF = 37, EXIT_MONITOR = 39, EXIT_EPT_VIOLATION = 48,
	EXIT_INVEPT = 50, EXIT_RDTSCP = 51, EXIT_PREEMPT = 52,
	EXIT_INVVPID = 53,
	EXIT_XSETBV = 55, EXIT_RDRAND = 57, EXIT_RDSEED = 61,
};

typedef bool (*exit_fn)(struct vcpu *v, struct vcpu_exit *e);

/* ---- registers ---------------------------------------------------- */

/* GPR number as the CPU encodes it (0 = RAX, 1 = RCX, ... 4 = RSP). */
static uint64_t *gpr(struct vcpu *v, unsigned n)
{
	static uint64_t rsp_tmp;

	switch (n & 15) {
	case 0: return &v->regs.rax;
	case 1: return &v->regs.rcx;
	case 2: return &v->regs.rdx;
	case 3: return &v->regs.rbx;
	case 4: rsp_tmp = vmread(GUEST_RSP); return &rsp_tmp;
	case 5: return &v->regs.rbp;
	case 6: return &v->regs.rsi;
	case 7: return &v->regs.rdi;
	default: return &v->regs.r8 + ((n & 15) - 8);
	}
}

static void set_gpr(struct vcpu *v, unsigned n, uint64_t val)
{
	if ((n & 15) == 4)
		vmwrite(GUEST_RSP, val);
	else
		*gpr(v, n) = val;
}

void vmx_skip_instruction(struct vcpu *v)
{
	uint64_t rip = vmread(GUEST_RIP) + vmread(EXIT_INSTR_LEN);
	uint32_t intr = (uint32_t)vmread(GUEST_INTERRUPTIBILITY);

	(void)v;
	if (!(vmread(GUEST_EFER) & EFER_LMA))
		rip &= 0xffffffff;
	vmwrite(GUEST_RIP, rip);
	/* the instruction retired: STI / MOV SS blocking ends (SDM 25.4.2) */
	if (intr & 3)
		vmwrite(GUEST_INTERRUPTIBILITY, intr & ~3u);
	/* and the guest's own single-step trap follows it (SDM 18.3.1.4):
	 * pending BS has the CPU deliver it at the next entry (27.7.3) */
	if (vmread(GUEST_RFLAGS) & RFLAGS_TF)
		vmwrite(GUEST_PENDING_DBG,
			vmread(GUEST_PENDING_DBG) | PENDING_DBG_BS);
}

void vmx_inject_exception(struct vcpu *v, uint8_t vector, bool has_err,
			  uint32_t err)
{
	(void)v;
	vmwrite(ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_HW_EXC | vector |
		(has_err ? INTR_INFO_ERRCODE : 0));
	if (has_err)
		vmwrite(ENTRY_EXCEPTION_ERRCODE, err);
}

static void set_edx_eax(struct vcpu *v, uint64_t val)
{
	v->regs.rax = (uint32_t)val;
	v->regs.rdx = val >> 32;
}

/* ---- guest memory ---------------------------------------------------- */

void *vmx_guest_phys(struct vcpu *v, uint64_t gpa, uint64_t len)
{
	if (gpa >= v->ram_size || len > v->ram_size - gpa)
		return NULL;
	return v->ram + gpa;
}

static int read_pte(struct vcpu *v, uint64_t gpa, bool wide, uint64_t *pte)
{
	void *p = vmx_guest_phys(v, gpa, wide ? 8 : 4);

	if (!p)
		return -1;
	*pte = wide ? *(uint64_t *)p : *(uint32_t *)p;
	return (*pte & 1) ? 0 : -1;
}

/* Walk the guest's page tables (SDM Vol. 3A, 4.3-4.5): 32-bit, PAE with
 * the PDPTEs the CPU holds in the VMCS, or 4-level. */
int vmx_guest_linear_to_phys(struct vcpu *v, uint64_t gla, uint64_t *gpa)
{
	uint64_t cr0 = vmread(GUEST_CR0), cr4 = vmread(GUEST_CR4);
	uint64_t addr_mask = 0x000ffffffffff000ull, pte;
	int levels, shift;

	if (!(cr0 & CR0_PG)) {
		*gpa = gla & 0xffffffff;
		return 0;
	}
	if (vmread(GUEST_EFER) & EFER_LMA) {
		levels = 4;
		pte = vmread(GUEST_CR3) | 1;
	} else if (cr4 & CR4_PAE) {
		levels = 2;
		pte = vmread(GUEST_PDPTE0 + 2 * ((gla >> 30) & 3));
		if (!(pte & 1))
			return -1;
	} else {
		/* 32-bit paging: 10-bit indices, 4-byte entries */
		uint64_t pde;

		if (read_pte(v, (vmread(GUEST_CR3) & 0xfffff000) +
			     ((gla >> 22) & 1023) * 4, false, &pde))
			return -1;
		if ((pde & (1u << 7)) && (cr4 & (1u << 4))) {	/* PSE */
			*gpa = (pde & 0xffc00000) | (gla & 0x3fffff);
			return 0;
		}
		if (read_pte(v, (pde & 0xfffff000) + ((gla >> 12) & 1023) * 4,
			     false, &pte))
			return -1;
		*gpa = (pte & 0xfffff000) | (gla & 0xfff);
		return 0;
	}
	for (shift = 12 + 9 * (levels - 1); levels--; shift -= 9) {
		if (read_pte(v, (pte & addr_mask) + ((gla >> shift) & 511) * 8,
			     true, &pte))
			return -1;
		if (levels && (pte & (1u << 7))) {	/* large page */
			uint64_t m = (1ull << shift) - 1;

			*gpa = (pte & addr_mask & ~m) | (gla & m);
			return 0;
		}
	}
	*gpa = (pte & addr_mask) | (gla & 0xfff);
	return 0;
}

static void *guest_linear(struct vcpu *v, uint64_t gla, uint64_t len)
{
	uint64_t gpa;

	if (vmx_guest_linear_to_phys(v, gla, &gpa))
		return NULL;
	return vmx_guest_phys(v, gpa, len);
}

/* ---- exits finished here ------------------------------------------- */

static bool exit_fail(struct vcpu *v, struct vcpu_exit *e, const char *why)
{
	e->kind = VCPU_EXIT_FAILED;
	e->fail.reason = v->exit_reason;
	e->fail.qual = v->exit_qual;
	tsnprintf(e->fail.what, sizeof(e->fail.what), "%s: exit reason %u "
		  "(%s), qualification 0x%lx", why, v->exit_reason & 0xffff,
		  vmx_exit_name(v->exit_reason & 0xffff),
		  (unsigned long)v->exit_qual);
	v->pending = PENDING_DEAD;
	return true;
}

static bool exit_unhandled(struct vcpu *v, struct vcpu_exit *e)
{
	return exit_fail(v, e, "unhandled VM exit");
}

static bool exit_entry_failed(struct vcpu *v, struct vcpu_exit *e)
{
	if ((v->exit_reason & 0xffff) == 33)	/* invalid guest state */
		vmx_check_report();
	return exit_fail(v, e, "VM entry failed (SDM 27.3 checks on the "
			 "guest-state area / 27.4 MSR loading)");
}

static bool exit_inject_ud(struct vcpu *v, struct vcpu_exit *e)
{
	(void)e;
	vmx_inject_exception(v, EXC_UD, false, 0);
	return false;
}

static bool exit_inject_gp(struct vcpu *v, struct vcpu_exit *e)
{
	(void)e;
	vmx_inject_exception(v, EXC_GP, true, 0);
	return false;
}

static bool exit_invd(struct vcpu *v, struct vcpu_exit *e)
{
	(void)e;
	/* INVD would drop the host's dirty lines too: write them back */
	__asm__ volatile("wbinvd" ::: "memory");
	vmx_skip_instruction(v);
	return false;
}

static void local_apic_eoi(void)
{
	uint64_t base = rdmsr(0x1b);

	if (base & (1u << 10))
		wrmsr(0x80b, 0);	/* x2APIC EOI */
	else
		*(volatile uint32_t *)((base & ~0xfffull) + 0xb0) = 0;
}

static bool exit_extint(struct vcpu *v, struct vcpu_exit *e)
{
	static bool said;

	(void)e;
	(void)v;
	/* tandem masks every host interrupt source; one that still fires
	 * was acknowledged on exit and only needs its EOI */
	local_apic_eoi();
	if (!said)
		pr("host interrupt vector %u while the guest ran (ignored)\n",
		   (unsigned)(vmread(EXIT_INTR_INFO) & 0xff));
	said = true;
	return false;
}

static bool exit_exc_nmi(struct vcpu *v, struct vcpu_exit *e)
{
	uint32_t info = (uint32_t)vmread(EXIT_INTR_INFO);

	if ((info & (7u << 8)) == INTR_TYPE_NMI) {
		if (!vmx_counter_nmi(v))
			pr("host NMI while the guest ran (ignored)\n");
		return false;
	}
	if (vmx_step_traps(v))
		return vmx_step_exception(v, e, info);
	return exit_unhandled(v, e);
}

static bool exit_triple(struct vcpu *v, struct vcpu_exit *e)
{
	e->kind = VCPU_EXIT_SHUTDOWN;
	v->pending = PENDING_DEAD;
	return true;
}

static void load_pdptes(struct vcpu *v)
{
	uint64_t *p = vmx_guest_phys(v, vmread(GUEST_CR3) & ~0x1full, 32);

	for (int i = 0; i < 4; i++)
		vmwrite(GUEST_PDPTE0 + 2 * i, p ? p[i] : 0);
}

static void paging_changed(struct vcpu *v)
{
	uint64_t cr0 = vmx_guest_cr0(v), cr4 = vmx_guest_cr4(v);
	uint64_t efer = vmread(GUEST_EFER);
	uint32_t entry = (uint32_t)vmread(ENTRY_CONTROLS);

	/* IA32_EFER.LMA = LME && PG; the CPU needs it mirrored in the
	 * IA-32e-mode-guest entry control (SDM 25.8.1, 10.8.5) */
	if ((cr0 & CR0_PG) && (efer & EFER_LME)) {
		efer |= EFER_LMA;
		entry |= ENTRY_IA32E;
	} else {
		efer &= ~EFER_LMA;
		entry &= ~ENTRY_IA32E;
	}
	vmwrite(GUEST_EFER, efer);
	vmwrite(ENTRY_CONTROLS, entry);
	if ((cr0 & CR0_PG) && (cr4 & CR4_PAE) && !(efer & EFER_LMA))
		load_pdptes(v);
}

static bool guest_write_cr0(struct vcpu *v, uint64_t val)
{
	uint64_t efer = vmread(GUEST_EFER);

	if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)) ||
	    ((val & CR0_NW) && !(val & CR0_CD)) ||
	    ((val & CR0_PG) && (efer & EFER_LME) &&
	     !(vmx_guest_cr4(v) & CR4_PAE)))
		return false;
	vmwrite(CR0_READ_SHADOW, val);
	/* caching stays on: the guest's CD/NW live in the shadow only */
	val &= ~(CR0_CD | CR0_NW);
	vmwrite(GUEST_CR0, (val | v->cr0_fixed0) & v->cr0_fixed1);
	paging_changed(v);
	return true;
}

static bool guest_write_cr4(struct vcpu *v, uint64_t val)
{
	/* VMXE is not the guest's: VMX is hidden from it */
	if ((val & ~v->cr4_fixed1) || (val & CR4_VMXE) ||
	    ((vmread(GUEST_EFER) & EFER_LMA) && !(val & CR4_PAE)))
		return false;
	vmwrite(CR4_READ_SHADOW, val);
	vmwrite(GUEST_CR4, (val | v->cr4_fixed0) & v->cr4_fixed1);
	paging_changed(v);
	return true;
}

/* Control-register accesses: qualification per SDM Table 28-3. */
static bool exit_cr(struct vcpu *v, struct vcpu_exit *e)
{
	uint64_t q = v->exit_qual;
	unsigned cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
	static uint64_t cr8;
	bool ok = true;

	if (type == 0 && cr == 0)
		ok = guest_write_cr0(v, *gpr(v, reg));
	else if (type == 0 && cr == 4)
		ok = guest_write_cr4(v, *gpr(v, reg));
	else if (type == 0 && cr == 8)
		cr8 = *gpr(v, reg) & 15;
	else if (type == 1 && cr == 8)
		set_gpr(v, reg, cr8);
	else if (type == 3)	/* LMSW: low 4 bits, cannot clear PE */
		ok = guest_write_cr0(v, (vmx_guest_cr0(v) & ~0xeull) |
			       ((q >> 16) & 0xf));
	else
		return exit_unhandled(v, e);
	if (!ok)
		vmx_inject_exception(v, EXC_GP, true, 0);
	else
		vmx_skip_instruction(v);
	return false;
}

/* XCR0 rules of SDM Vol. 1, 13.3: x87 always on, AVX needs SSE. */
static bool exit_xsetbv(struct vcpu *v, struct vcpu_exit *e)
{
	uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
	struct cpuid_regs r;

	(void)e;
	if (!(vmx_guest_cr4(v) & CR4_OSXSAVE))
		return exit_inject_ud(v, e);
	cpuid_count(0xd, 0, &r);
	if ((uint32_t)v->regs.rcx != 0 || !(val & 1) ||
	    (val & ~((((uint64_t)r.edx << 32) | r.eax) & GUEST_XCR0)) ||
	    ((val & 4) && !(val & 2)))
		return exit_inject_gp(v, e);
	xsetbv(0, val);
	vmx_skip_instruction(v);
	return false;
}

/* MSRs whose guest value lives in the VMCS or in the vcpu. */
static bool msr_arch_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	switch (msr) {
	case MSR_EFER: *val = vmread(GUEST_EFER); return true;
	case MSR_DEBUGCTL: *val = vmread(GUEST_DEBUGCTL); return true;
	case MSR_TSC_AUX: *val = v->tsc_aux; return true;
	}
	return false;
}

static int msr_arch_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	const uint64_t efer_ok = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;

	switch (msr) {
	case MSR_EFER:
		if ((val & ~efer_ok) ||
		    (((val ^ vmread(GUEST_EFER)) & EFER_LME) &&
		     (vmx_guest_cr0(v) & CR0_PG)))
			return -1;
		/* LMA is the CPU's to set (paging_changed) */
		vmwrite(GUEST_EFER, (val & ~EFER_LMA) |
			(vmread(GUEST_EFER) & EFER_LMA));
		return 1;
	case MSR_DEBUGCTL:
		/* no branch tracing for the guest: only 0 is accepted */
		return val ? -1 : 1;
	case MSR_TSC_AUX:
		if (val >> 32)
			return -1;
		v->tsc_aux = val;
		return 1;
	}
	return 0;
}

static bool exit_rdmsr(struct vcpu *v, struct vcpu_exit *e)
{
	uint32_t msr = (uint32_t)v->regs.rcx;
	uint64_t val;

	if (msr_arch_read(v, msr, &val)) {
		set_edx_eax(v, val);
		vmx_skip_instruction(v);
		return false;
	}
	e->kind = VCPU_EXIT_MSR_READ;
	e->msr.index = msr;
	e->msr.value = 0;
	e->msr.fault = false;
	v->pending = PENDING_RDMSR;
	return true;
}

static bool exit_wrmsr(struct vcpu *v, struct vcpu_exit *e)
{
	uint32_t msr = (uint32_t)v->regs.rcx;
	uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
	int r = msr_arch_write(v, msr, val);

	if (r) {
		if (r < 0)
			return exit_inject_gp(v, e);
		vmx_skip_instruction(v);
		return false;
	}
	e->kind = VCPU_EXIT_MSR_WRITE;
	e->msr.index = msr;
	e->msr.value = val;
	e->msr.fault = false;
	v->pending = PENDING_WRMSR;
	return true;
}

/* ---- exits for core/ --------------------------------------------- */

/* XSAVE area size for the components in 'xcr0', from their own offsets
 * and sizes (CPUID.0xD.i, SDM Vol. 1, 13.4). */
static uint32_t xsave_size(uint64_t xcr0)
{
	uint32_t end = 576;	/* legacy area + XSAVE header */
	struct cpuid_regs c;

	for (uint32_t i = 2; i < 63; i++) {
		if (!(xcr0 & (1ull << i)))
			continue;
		cpuid_count(0xd, i, &c);
		if (c.ebx + c.eax > end)
			end = c.ebx + c.eax;
	}
	return end;
}

static void xsave_leaf(uint32_t sub, struct cpuid_regs *r)
{
	uint64_t offered = (((uint64_t)r->edx << 32) | r->eax) & GUEST_XCR0;

	if (sub == 0) {
		r->eax = (uint32_t)offered;
		r->edx = 0;
		r->ecx = xsave_size(offered);
		if (read_cr4() & CR4_OSXSAVE)
			r->ebx = xsave_size(read_xcr0() & GUEST_XCR0);
		return;
	}
	if (sub == 1)
		r->eax &= ~(1u << 3);	/* XSAVES */
	if (sub >= 2 && !(GUEST_XCR0 & (1ull << sub)))
		r->eax = r->ebx = r->ecx = r->edx = 0;
}

/* Features this backend cannot give the guest: those whose instructions
 * need a VM-execution control it did not set (they would #UD), and
 * XSAVES/XRSTORS (IA32_XSS is not switched). Core's policy comes after. */
static void cpuid_backend_mask(uint32_t leaf, uint32_t sub,
			       struct cpuid_regs *r)
{
	uint32_t proc2 = (uint32_t)vmread(PROC_CONTROLS2);

	if (leaf == 7 && sub == 0) {
		if (!(proc2 & PROC2_INVPCID))
			r->ebx &= ~(1u << 10);
		r->ecx &= ~(1u << 5);	/* WAITPKG: no UMWAIT control */
	}
	if (leaf == 7 && sub == 0) {
		/* AVX-512 (F DQ IFMA PF ER CD BW VL), MPX; VBMI, PKU, OSPKE,
		 * VBMI2, VNNI, BITALG, VPOPCNTDQ; 4VNNIW, 4FMAPS,
		 * VP2INTERSECT, FP16, AMX */
		r->ebx &= ~0xdc234000u;
		r->ecx &= ~0x585au;
		r->edx &= ~0x03c0010cu;
	}
	if (leaf == 7 && sub == 1)
		r->eax &= ~(1u << 5);	/* AVX512_BF16 */
	if (leaf == 0xd)
		xsave_leaf(sub, r);
	if (leaf == 0x80000001 && !(proc2 & PROC2_RDTSCP))
		r->edx &= ~(1u << 27);
}

static bool exit_cpuid(struct vcpu *v, struct vcpu_exit *e)
{
	struct cpuid_regs r;

	e->kind = VCPU_EXIT_CPUID;
	e->cpuid.leaf = (uint32_t)v->regs.rax;
	e->cpuid.subleaf = (uint32_t)v->regs.rcx;
	cpuid_count(e->cpuid.leaf, e->cpuid.subleaf, &r);
	cpuid_backend_mask(e->cpuid.leaf, e->cpuid.subleaf, &r);
	e->cpuid.eax = r.eax;
	e->cpuid.ebx = r.ebx;
	e->cpuid.ecx = r.ecx;
	e->cpuid.edx = r.edx;
	v->pending = PENDING_CPUID;
	return true;
}

static bool exit_irq_window(struct vcpu *v, struct vcpu_exit *e)
{
	vcpu_request_irq_window(v, false);
	e->kind = VCPU_EXIT_IRQ_WINDOW;
	v->pending = PENDING_NONE;
	return true;
}

static bool exit_hlt(struct vcpu *v, struct vcpu_exit *e)
{
	vmx_skip_instruction(v);
	e->kind = VCPU_EXIT_HLT;
	v->pending = PENDING_NONE;
	return true;
}

static bool exit_rdtsc(struct vcpu *v, struct vcpu_exit *e)
{
	e->kind = VCPU_EXIT_RDTSC;
	e->val.value = 0;
	v->pending = v->exit_reason == EXIT_RDTSCP ? PENDING_RDTSCP
						   : PENDING_RDTSC;
	return true;
}

static bool exit_rand(struct vcpu *v, struct vcpu_exit *e)
{
	e->kind = v->exit_reason == EXIT_RDSEED ? VCPU_EXIT_RDSEED
						: VCPU_EXIT_RDRAND;
	e->val.value = 0;
	e->val.ok = false;
	v->pending = PENDING_RAND;
	return true;
}

static bool exit_preempt(struct vcpu *v, struct vcpu_exit *e)
{
	e->kind = VCPU_EXIT_TIMER;
	v->pending = PENDING_NONE;
	return true;
}

static bool exit_ept_violation(struct vcpu *v, struct vcpu_exit *e)
{
	e->kind = VCPU_EXIT_MEM;
	e->mem.gpa = vmread(GUEST_PHYS_ADDR);
	e->mem.read = v->exit_qual & 1;
	e->mem.write = v->exit_qual & 2;
	e->mem.fetch = v->exit_qual & 4;
	/* no MMIO devices yet: an access outside RAM ends the guest */
	v->pending = PENDING_DEAD;
	return true;
}

static uint64_t addr_mask(uint8_t size)
{
	return size == 2 ? ~0ull : size == 1 ? 0xffffffffull : 0xffffull;
}

/* Port I/O, qualification per SDM Table 28-5. String forms move at most
 * one batch (within one page) per exit; a REP prefix with count left
 * re-executes the instruction for the next batch. */
static bool exit_io(struct vcpu *v, struct vcpu_exit *e)
{
	uint64_t q = v->exit_qual;
	uint8_t size = (q & 7) + 1;

	e->kind = VCPU_EXIT_IO;
	e->io.port = (uint16_t)(q >> 16);
	e->io.size = size;
	e->io.in = q & 8;
	e->io.count = 1;
	v->io_string = q & 16;
	v->io_rep = q & 32;
	v->pending = PENDING_IO;
	if (!v->io_string) {
		uint32_t val = (uint32_t)v->regs.rax;

		memcpy(e->io.data, &val, size);
		return true;
	}
	uint64_t gla = vmread(GUEST_LINEAR_ADDR), room, n = 1;
	void *p;

	v->io_addr_size = (vmread(EXIT_INSTR_INFO) >> 7) & 7;
	if (v->io_rep)
		n = v->regs.rcx & addr_mask(v->io_addr_size);
	room = (PAGE_SIZE - (gla & (PAGE_SIZE - 1))) / size;
	if (n > room)
		n = room;
	if (n > VCPU_IO_MAX / size)
		n = VCPU_IO_MAX / size;
	if (vmread(GUEST_RFLAGS) & RFLAGS_DF)
		n = 1;	/* descending: one element per exit */
	if (!n) {
		vmx_skip_instruction(v);	/* REP with count 0 */
		v->pending = PENDING_NONE;
		return false;
	}
	p = guest_linear(v, gla, n * size);
	if (!p)
		return exit_fail(v, e, "string I/O buffer not in guest RAM");
	e->io.count = (uint16_t)n;
	if (!e->io.in)
		memcpy(e->io.data, p, n * size);
	return true;
}

static const exit_fn exit_table[VMX_EXIT_REASONS] = {
	[EXIT_EXC_NMI] = exit_exc_nmi,
	[EXIT_EXTINT] = exit_extint,
	[EXIT_TRIPLE] = exit_triple,
	[EXIT_IRQ_WINDOW] = exit_irq_window,
	[EXIT_CPUID] = exit_cpuid,
	[EXIT_GETSEC] = exit_inject_ud,
	[EXIT_HLT] = exit_hlt,
	[EXIT_INVD] = exit_invd,
	[EXIT_RDPMC] = exit_inject_gp,
	[EXIT_RDTSC] = exit_rdtsc,
	[EXIT_VMCALL ... EXIT_VMXON] = exit_inject_ud,
	[EXIT_CR] = exit_cr,
	[EXIT_IO] = exit_io,
	[EXIT_RDMSR] = exit_rdmsr,
	[EXIT_WRMSR] = exit_wrmsr,
	[33] = exit_entry_failed,
	[34] = exit_entry_failed,
	[41] = exit_entry_failed,
	[EXIT_MWAIT] = exit_inject_ud,
	[EXIT_MTF] = vmx_step_mtf,
	[EXIT_MONITOR] = exit_inject_ud,
	[EXIT_EPT_VIOLATION] = exit_ept_violation,
	[EXIT_INVEPT] = exit_inject_ud,
	[EXIT_RDTSCP] = exit_rdtsc,
	[EXIT_PREEMPT] = exit_preempt,
	[EXIT_INVVPID] = exit_inject_ud,
	[EXIT_XSETBV] = exit_xsetbv,
	[EXIT_RDRAND] = exit_rand,
	[EXIT_RDSEED] = exit_rand,
};

/* An exit in the middle of delivering an event (SDM 28.2.4) must not
 * lose it: queue it again for the next entry. */
static void requeue_vectoring(uint32_t reason)
{
	uint32_t info = (uint32_t)vmread(IDT_VECTORING_INFO);

	if (!(info & INTR_INFO_VALID) || (reason & EXIT_REASON_ENTRY_FAIL))
		return;
	vmwrite(ENTRY_INTR_INFO, info & ~(1u << 12));
	if (info & INTR_INFO_ERRCODE)
		vmwrite(ENTRY_EXCEPTION_ERRCODE,
			vmread(IDT_VECTORING_ERRCODE));
	/* software interrupts and exceptions need their length again */
	vmwrite(ENTRY_INSTR_LEN, vmread(EXIT_INSTR_LEN));
}

bool vmx_handle_exit(struct vcpu *v, struct vcpu_exit *e)
{
	uint32_t reason = (uint32_t)vmread(EXIT_REASON);
	uint32_t basic = reason & 0xffff;
	exit_fn fn = basic < VMX_EXIT_REASONS ? exit_table[basic] : NULL;

	v->exit_reason = reason;
	v->exit_qual = vmread(EXIT_QUALIFICATION);
	requeue_vectoring(reason);
	v->exits_total++;
	if (basic < VMX_EXIT_REASONS)
		v->exits[basic]++;
	v->pending = PENDING_NONE;
	return fn ? fn(v, e) : exit_unhandled(v, e);
}

/* ---- completion ---------------------------------------------------- */

static void complete_io(struct vcpu *v, struct vcpu_exit *e)
{
	uint64_t n = e->io.count, bytes = n * e->io.size;
	uint64_t mask = addr_mask(v->io_addr_size);
	bool down = vmread(GUEST_RFLAGS) & RFLAGS_DF;
	uint64_t *idx;
	void *p;

	if (!v->io_string) {
		if (e->io.in) {
			uint32_t val = 0;

			memcpy(&val, e->io.data, e->io.size);
			/* 8/16-bit IN keep the rest of RAX; 32-bit
			 * zero-extends */
			if (e->io.size == 4)
				v->regs.rax = val;
			else
				memcpy(&v->regs.rax, &val, e->io.size);
		}
		vmx_skip_instruction(v);
		return;
	}
	if (e->io.in) {
		p = guest_linear(v, vmread(GUEST_LINEAR_ADDR), bytes);
		if (p)
			memcpy(p, e->io.data, bytes);
	}
	idx = e->io.in ? &v->regs.rdi : &v->regs.rsi;
	*idx = (*idx & ~mask) | ((down ? *idx - bytes : *idx + bytes) & mask);
	if (v->io_rep) {
		v->regs.rcx = (v->regs.rcx & ~mask) |
			      ((v->regs.rcx - n) & mask);
		if (v->regs.rcx & mask)
			return;	/* re-execute for the rest */
	}
	vmx_skip_instruction(v);
}

/* RDRAND/RDSEED: destination and size from the instruction-information
 * field (SDM Table 28-13); CF reports success, OF SF ZF AF PF clear. */
static void complete_rand(struct vcpu *v, struct vcpu_exit *e)
{
	uint32_t info = (uint32_t)vmread(EXIT_INSTR_INFO);
	unsigned reg = (info >> 3) & 15, osz = (info >> 11) & 3;
	uint64_t val = e->val.ok ? e->val.value : 0;
	uint64_t fl = vmread(GUEST_RFLAGS) & ~0x8d5ull;

	if (osz == 0)
		val = (*gpr(v, reg) & ~0xffffull) | (val & 0xffff);
	else if (osz == 1)
		val &= 0xffffffff;
	set_gpr(v, reg, val);
	vmwrite(GUEST_RFLAGS, fl | (e->val.ok ? 1 : 0));
	vmx_skip_instruction(v);
}

static void complete_msr(struct vcpu *v, struct vcpu_exit *e, bool read)
{
	if (e->msr.fault) {
		vmx_inject_exception(v, EXC_GP, true, 0);
		return;
	}
	if (read)
		set_edx_eax(v, e->msr.value);
	vmx_skip_instruction(v);
}

void vmx_complete(struct vcpu *v, struct vcpu_exit *e)
{
	enum vmx_pending p = v->pending;

	v->pending = PENDING_NONE;
	switch (p) {
	case PENDING_NONE:
	case PENDING_DEAD:
		break;
	case PENDING_SKIP:
		vmx_skip_instruction(v);
		break;
	case PENDING_IO:
		complete_io(v, e);
		break;
	case PENDING_CPUID:
		v->regs.rax = e->cpuid.eax;
		v->regs.rbx = e->cpuid.ebx;
		v->regs.rcx = e->cpuid.ecx;
		v->regs.rdx = e->cpuid.edx;
		vmx_skip_instruction(v);
		break;
	case PENDING_RDMSR:
	case PENDING_WRMSR:
		complete_msr(v, e, p == PENDING_RDMSR);
		break;
	case PENDING_RDTSCP:
		v->regs.rcx = (uint32_t)v->tsc_aux;
		/* fall through */
	case PENDING_RDTSC:
		set_edx_eax(v, e->val.value);
		vmx_skip_instruction(v);
		break;
	case PENDING_RAND:
		complete_rand(v, e);
		break;
	}
}
