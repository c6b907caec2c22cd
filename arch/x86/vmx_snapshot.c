/* Fill a struct vmx_snapshot from the current VMCS and the capability
 * MSRs, for vmx_check_snapshot() after a failed VM entry. Kept apart
 * from the checker: VMREAD and RDMSR cannot run in host unit tests. */
#include <stdbool.h>

#include "arch/x86/cpu.h"
#include "arch/x86/vmx_check.h"
#include "lib/print.h"
#include "lib/string.h"

/* A field that exists only with a feature: VMREAD of a missing one fails
 * and leaves its destination undefined (SDM 25.11.2). */
static uint64_t read_if(bool present, uint32_t field)
{
	return present ? vmread(field) : 0;
}

static void read_caps(struct vmx_caps *cap)
{
	struct cpuid_regs r;

	cap->basic = rdmsr(MSR_VMX_BASIC);
	cap->pin = rdmsr(MSR_VMX_PIN);
	cap->proc = rdmsr(MSR_VMX_PROC);
	cap->exit = rdmsr(MSR_VMX_EXIT);
	cap->entry = rdmsr(MSR_VMX_ENTRY);
	/* the TRUE_ MSRs exist only when VMX_BASIC[55] says so (A.1) */
	if (cap->basic & VMX_BASIC_TRUE_CTLS) {
		cap->true_pin = rdmsr(MSR_VMX_TRUE_PIN);
		cap->true_proc = rdmsr(MSR_VMX_TRUE_PROC);
		cap->true_exit = rdmsr(MSR_VMX_TRUE_EXIT);
		cap->true_entry = rdmsr(MSR_VMX_TRUE_ENTRY);
	}
	cap->misc = rdmsr(MSR_VMX_MISC);
	cap->cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	cap->cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	cap->cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	cap->cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
	/* PROCBASED_CTLS2 exists only if secondary controls may be 1,
	 * EPT_VPID_CAP only if EPT or VPID may be (A.3.3, A.10) */
	if ((cap->proc >> 32) & PROC_SECONDARY)
		cap->proc2 = rdmsr(MSR_VMX_PROC2);
	if ((cap->proc2 >> 32) & (PROC2_EPT | PROC2_VPID))
		cap->ept_vpid = rdmsr(MSR_VMX_EPT_VPID_CAP);
	cpuid_count(0x80000000, 0, &r);
	if (r.eax >= 0x80000008) {
		cpuid_count(0x80000008, 0, &r);
		cap->pa_width = r.eax & 0xff;
		cap->la_width = (r.eax >> 8) & 0xff;
	}
	cap->cpu_efer = rdmsr(MSR_EFER);
}

static void read_ctls(struct vmx_snapshot *s)
{
	struct vmx_ctl_state *ctl = &s->ctl;
	uint32_t may2 = s->cap.proc2 >> 32;

	ctl->pin = vmread(PIN_CONTROLS);
	ctl->proc = vmread(PROC_CONTROLS);
	ctl->proc2 = read_if(may2, PROC_CONTROLS2);
	ctl->exit = vmread(EXIT_CONTROLS);
	ctl->entry = vmread(ENTRY_CONTROLS);
	ctl->exception_bitmap = vmread(EXCEPTION_BITMAP);
	ctl->cr3_target_count = vmread(CR3_TARGET_COUNT);
	ctl->entry_intr_info = vmread(ENTRY_INTR_INFO);
	ctl->vpid = read_if(may2 & PROC2_VPID, VPID);
	ctl->eptp = read_if(may2 & PROC2_EPT, EPT_POINTER);
	ctl->io_bitmap_a = vmread(IO_BITMAP_A);
	ctl->io_bitmap_b = vmread(IO_BITMAP_B);
	ctl->msr_bitmap = read_if((s->cap.proc >> 32) & PROC_MSR_BITMAPS,
				  MSR_BITMAP);
}

static void read_host(struct vmx_snapshot *s)
{
	struct vmx_host_state *h = &s->host;
	uint32_t may_exit = s->cap.exit >> 32;

	h->cr0 = vmread(HOST_CR0);
	h->cr3 = vmread(HOST_CR3);
	h->cr4 = vmread(HOST_CR4);
	for (int i = 0; i < HSEL_COUNT; i++)
		h->sel[i] = vmread(HOST_ES_SEL + 2 * i);
	h->fs_base = vmread(HOST_FS_BASE);
	h->gs_base = vmread(HOST_GS_BASE);
	h->tr_base = vmread(HOST_TR_BASE);
	h->gdtr_base = vmread(HOST_GDTR_BASE);
	h->idtr_base = vmread(HOST_IDTR_BASE);
	h->sysenter_esp = vmread(HOST_SYSENTER_ESP);
	h->sysenter_eip = vmread(HOST_SYSENTER_EIP);
	h->efer = read_if(may_exit & EXIT_LOAD_EFER, HOST_EFER);
	h->pat = read_if(may_exit & EXIT_LOAD_PAT, HOST_PAT);
	h->rsp = vmread(HOST_RSP);
	h->rip = vmread(HOST_RIP);
}

static void read_guest(struct vmx_snapshot *s)
{
	struct vmx_guest_state *g = &s->guest;
	uint32_t may_entry = s->cap.entry >> 32;
	uint32_t may_exit = s->cap.exit >> 32;

	g->cr0 = vmread(GUEST_CR0);
	g->cr3 = vmread(GUEST_CR3);
	g->cr4 = vmread(GUEST_CR4);
	g->dr7 = vmread(GUEST_DR7);
	g->rsp = vmread(GUEST_RSP);
	g->rip = vmread(GUEST_RIP);
	g->rflags = vmread(GUEST_RFLAGS);
	for (int i = 0; i < SEG_COUNT; i++) {
		g->seg[i].sel = vmread(GUEST_SEG(GUEST_ES_SEL, i));
		g->seg[i].base = vmread(GUEST_SEG(GUEST_ES_BASE, i));
		g->seg[i].limit = vmread(GUEST_SEG(GUEST_ES_LIMIT, i));
		g->seg[i].ar = vmread(GUEST_SEG(GUEST_ES_AR, i));
	}
	g->gdtr_base = vmread(GUEST_GDTR_BASE);
	g->gdtr_limit = vmread(GUEST_GDTR_LIMIT);
	g->idtr_base = vmread(GUEST_IDTR_BASE);
	g->idtr_limit = vmread(GUEST_IDTR_LIMIT);
	/* these guest fields exist with the load or the save control */
	g->efer = read_if((may_entry & ENTRY_LOAD_EFER) ||
			  (may_exit & EXIT_SAVE_EFER), GUEST_EFER);
	g->pat = read_if((may_entry & ENTRY_LOAD_PAT) ||
			 (may_exit & EXIT_SAVE_PAT), GUEST_PAT);
	g->debugctl = vmread(GUEST_DEBUGCTL);
	g->activity = vmread(GUEST_ACTIVITY_STATE);
	g->interruptibility = vmread(GUEST_INTERRUPTIBILITY);
	g->pending_dbg = vmread(GUEST_PENDING_DBG);
	g->link = vmread(VMCS_LINK_POINTER);
	for (int i = 0; i < 4; i++)
		g->pdpte[i] = read_if((s->cap.proc2 >> 32) & PROC2_EPT,
				      GUEST_PDPTE0 + 2 * i);
}

void vmx_snapshot_read(struct vmx_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	read_caps(&s->cap);
	read_ctls(s);
	read_host(s);
	read_guest(s);
}

void vmx_check_report(void)
{
	struct vmx_snapshot s;
	char msg[200];

	vmx_snapshot_read(&s);
	if (vmx_check_snapshot(&s, msg, sizeof(msg)))
		pr("VM-entry check failed: %s\n", msg);
	else
		pr("VM-entry checks: tandem's subset of SDM chapter 27 all "
		   "pass; the failing check is one it does not model\n");
}
