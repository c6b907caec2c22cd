/* Guest state for epochs: the registers an epoch digest compares, EPT
 * dirty tracking, and save/restore of the whole vcpu for snapshots. */
#include "arch/x86/cpu.h"
#include "arch/x86/vmx.h"
#include "lib/string.h"

#define EPTP_AD		(1ull << 6)	/* enable A/D flags (SDM 25.6.11) */
#define EPT_CAP_AD	(1ull << 21)	/* IA32_VMX_EPT_VPID_CAP (A.10) */

void vcpu_digest_regs(struct vcpu *v, uint64_t out[VCPU_DIGEST_REGS])
{
	const struct vcpu_regs *r = &v->regs;
	const uint64_t gprs[16] = {
		r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp,
		vmread(GUEST_RSP), r->r8, r->r9, r->r10, r->r11, r->r12,
		r->r13, r->r14, r->r15,
	};

	memcpy(out, gprs, sizeof(gprs));
	out[16] = vmread(GUEST_RIP);
	out[17] = vmread(GUEST_RFLAGS);
	out[18] = vmx_guest_cr0(v);
	out[19] = vmread(GUEST_CR3);
	out[20] = vmx_guest_cr4(v);
	out[21] = vmread(GUEST_EFER);
	out[22] = vmread(GUEST_INTERRUPTIBILITY);
	out[23] = vmread(ENTRY_INTR_INFO);
}

static void invept(uint64_t eptp)
{
	struct { uint64_t eptp, rsvd; } desc = { eptp, 0 };
	uint64_t type = 1;	/* single-context (SDM 31.3, INVEPT) */

	__asm__ volatile("invept %0, %1" : : "m"(desc), "r"(type)
			 : "cc", "memory");
}

#define CAP_INVVPID		(1ull << 32)	/* IA32_VMX_EPT_VPID_CAP (A.10) */
#define CAP_INVVPID_SINGLE	(1ull << 41)

/* Drop every translation the CPU may cache for the guest: the linear
 * ones of its VPID, global pages included (INVVPID single-context, SDM
 * 31.3), and the guest-physical and combined ones of its EPTP (INVEPT).
 * A restored guest must start with no TLB entry from the state it left:
 * a stale global entry would translate as the recording's end did. */
static void flush_guest_tlb(struct vcpu *v)
{
	struct { uint64_t vpid, addr; } desc = { 1, 0 };
	uint64_t cap = rdmsr(MSR_VMX_EPT_VPID_CAP), type = 1;

	invept(v->eptp);
	if (!(vmread(PROC_CONTROLS2) & PROC2_VPID) || !(cap & CAP_INVVPID) ||
	    !(cap & CAP_INVVPID_SINGLE))
		return;
	desc.vpid = vmread(VPID);
	__asm__ volatile("invvpid %0, %1" : : "m"(desc), "r"(type)
			 : "cc", "memory");
}

bool vcpu_dirty_log_enable(struct vcpu *v)
{
	if (!(rdmsr(MSR_VMX_PROC2) >> 32 & PROC2_EPT) ||
	    !(rdmsr(MSR_VMX_EPT_VPID_CAP) & EPT_CAP_AD))
		return false;
	v->eptp |= EPTP_AD;
	vmwrite(EPT_POINTER, v->eptp);
	invept(v->eptp);
	return true;
}

void vcpu_dirty_pages(struct vcpu *v, void (*fn)(uint64_t gfn, void *arg),
		      void *arg)
{
	ept_collect_dirty(v->ept_pml4, fn, arg);
	/* cleared flags are set again only by walks that miss the TLB */
	invept(v->eptp);
}

/* VMCS fields that make up the guest: guest-state area (SDM 25.4), the
 * read shadows, and the event and mode an entry will inject or load. */
static const uint32_t fields[] = {
	0x800, 0x802, 0x804, 0x806, 0x808, 0x80a, 0x80c, 0x80e,
	0x4800, 0x4802, 0x4804, 0x4806, 0x4808, 0x480a, 0x480c, 0x480e,
	0x4810, 0x4812,
	0x4814, 0x4816, 0x4818, 0x481a, 0x481c, 0x481e, 0x4820, 0x4822,
	0x6806, 0x6808, 0x680a, 0x680c, 0x680e, 0x6810, 0x6812, 0x6814,
	0x6816, 0x6818,
	GUEST_CR0, GUEST_CR3, GUEST_CR4, GUEST_DR7, GUEST_RSP, GUEST_RIP,
	GUEST_RFLAGS, GUEST_PENDING_DBG, GUEST_SYSENTER_ESP,
	GUEST_SYSENTER_EIP, GUEST_SYSENTER_CS, GUEST_INTERRUPTIBILITY,
	GUEST_ACTIVITY_STATE, GUEST_DEBUGCTL, GUEST_PAT, GUEST_EFER,
	GUEST_PDPTE0, GUEST_PDPTE0 + 2, GUEST_PDPTE0 + 4, GUEST_PDPTE0 + 6,
	CR0_READ_SHADOW, CR4_READ_SHADOW, ENTRY_CONTROLS, ENTRY_INTR_INFO,
	ENTRY_EXCEPTION_ERRCODE, ENTRY_INSTR_LEN, PROC_CONTROLS,
};

#define NFIELDS	(sizeof(fields) / sizeof(fields[0]))

/* Guest state VMX does not switch, which stays in the CPU while tandem
 * runs: the MSRs passed through (SYSCALL, KERNEL_GS_BASE), CR2, XCR0 and
 * the x87/SSE/AVX registers (tandem itself never touches them). */
static const uint32_t live_msrs[] = {
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK, MSR_KERNEL_GS_BASE,
};
#define NMSRS	(sizeof(live_msrs) / sizeof(live_msrs[0]))
#define XSAVE_MAX	1024	/* x87+SSE+AVX (GUEST_XCR0): 832 bytes */

struct vcpu_state {
	uint32_t version, nfields;
	uint64_t vmcs[NFIELDS];
	struct vcpu_regs regs;
	uint32_t pending, exit_reason;
	uint64_t exit_qual, tsc_aux;
	uint16_t io_count;
	uint8_t io_string, io_rep, io_addr_size;
	uint64_t msrs[NMSRS], cr2, xcr0;
	uint8_t fpu[XSAVE_MAX] __attribute__((aligned(64)));
};

static bool has_xsave(void)
{
	return read_cr4() & CR4_OSXSAVE;
}

/* Every component the guest may ever enable, whatever XCR0 holds now:
 * registers of a component the guest has not enabled yet still hold
 * values, and it sees them once it enables it (Linux's boot turns AVX
 * on long after a snapshot at its entry, and XSAVEs the YMM halves as
 * it finds them). */
static uint64_t xcr0_all(void)
{
	struct cpuid_regs r;

	cpuid_count(0xd, 0, &r);
	return ((((uint64_t)r.edx << 32) | r.eax) & GUEST_XCR0) | 1;
}

/* XSAVE of all those components, or FXSAVE's 512 bytes where there is
 * no XSAVE (SDM Vol. 1, 13.7 and 10.5). XCR0 is widened for the XSAVE
 * alone: the mask operand cannot reach past it (SDM Vol. 1, 13.8). */
static void fpu_save(struct vcpu_state *s)
{
	uint64_t all;

	if (!has_xsave()) {
		__asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t (*)[512])s->fpu));
		return;
	}
	s->xcr0 = read_xcr0();
	all = xcr0_all();
	memset(s->fpu, 0, sizeof(s->fpu));
	xsetbv(0, all);
	__asm__ volatile("xsave64 %0"
			 : "+m"(*(uint8_t (*)[XSAVE_MAX])s->fpu)
			 : "a"((uint32_t)all), "d"((uint32_t)(all >> 32)));
	xsetbv(0, s->xcr0);
}

static void fpu_restore(const struct vcpu_state *s)
{
	uint64_t all;

	if (!has_xsave()) {
		__asm__ volatile("fxrstor64 %0"
				 : : "m"(*(const uint8_t (*)[512])s->fpu));
		return;
	}
	all = xcr0_all();
	xsetbv(0, all);
	__asm__ volatile("xrstor64 %0"
			 : : "m"(*(const uint8_t (*)[XSAVE_MAX])s->fpu),
			   "a"((uint32_t)all), "d"((uint32_t)(all >> 32)));
	xsetbv(0, s->xcr0);
}

static void live_save(struct vcpu_state *s)
{
	for (unsigned i = 0; i < NMSRS; i++)
		s->msrs[i] = rdmsr(live_msrs[i]);
	s->cr2 = read_cr2();
	fpu_save(s);
}

static void live_restore(const struct vcpu_state *s)
{
	for (unsigned i = 0; i < NMSRS; i++)
		wrmsr(live_msrs[i], s->msrs[i]);
	write_cr2(s->cr2);
	fpu_restore(s);
}

size_t vcpu_state_size(void)
{
	return sizeof(struct vcpu_state);
}

void vcpu_save(struct vcpu *v, void *buf)
{
	static struct vcpu_state s;

	memset(&s, 0, sizeof(s));
	s.version = 3;
	s.nfields = NFIELDS;
	live_save(&s);

	for (unsigned i = 0; i < NFIELDS; i++)
		s.vmcs[i] = vmread(fields[i]);
	s.regs = v->regs;
	s.pending = v->pending;
	s.exit_reason = v->exit_reason;
	s.exit_qual = v->exit_qual;
	s.tsc_aux = v->tsc_aux;
	s.io_count = v->io_count;
	s.io_string = v->io_string;
	s.io_rep = v->io_rep;
	s.io_addr_size = v->io_addr_size;
	memcpy(buf, &s, sizeof(s));
}

void vcpu_restore(struct vcpu *v, const void *buf)
{
	static struct vcpu_state s;

	memcpy(&s, buf, sizeof(s));
	live_restore(&s);
	for (unsigned i = 0; i < NFIELDS; i++)
		vmwrite(fields[i], s.vmcs[i]);
	v->regs = s.regs;
	v->pending = s.pending;
	v->exit_reason = s.exit_reason;
	v->exit_qual = s.exit_qual;
	v->tsc_aux = s.tsc_aux;
	v->io_count = s.io_count;
	v->io_string = s.io_string;
	v->io_rep = s.io_rep;
	v->io_addr_size = s.io_addr_size;
	flush_guest_tlb(v);
}
