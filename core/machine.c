/* The main loop: run the guest, serve each exit through core/'s devices
 * and policies, deliver interrupts, keep virtual time, poll the console. */
#include "core/machine.h"
#include "core/console.h"
#include "core/cpuid.h"
#include "core/env.h"
#include "core/guest.h"
#include "core/guestlog.h"
#include "core/msr.h"
#include "core/pic.h"
#include "core/pit.h"
#include "core/power.h"
#include "core/vdev.h"
#include "ft/epoch.h"
#include "ft/ft.h"
#include "core/vuart.h"
#include "arch/x86/cpu.h"
#include "arch/x86/vcpu.h"
#include "lib/print.h"
#include "lib/string.h"

static struct {
	struct boot_info *bi;
	struct vcpu *vcpu;
	enum guest_state state;
	const char *reset_reason;	/* guest asked for a restart */
	bool halt_reported;
	bool epoch_boundary;		/* epochs: between two epochs */
	uint64_t tsc_first_entry;
	uint64_t tsc_in_guest;		/* time inside vcpu_run */
	uint64_t restarts;
	struct vcpu_exit exit;
} m;

static const char *const state_names[] = {
	[GUEST_RUNNING] = "running",
	[GUEST_PAUSED] = "paused",
	[GUEST_HALTED] = "halted",
	[GUEST_STOPPED] = "stopped",
};

static void handle_io(struct vcpu_exit *e)
{
	for (unsigned i = 0; i < e->io.count; i++) {
		uint8_t *p = e->io.data + i * e->io.size;
		uint32_t val = 0;

		if (e->io.in) {
			val = vdev_port_read(e->io.port, e->io.size);
			memcpy(p, &val, e->io.size);
		} else {
			memcpy(&val, p, e->io.size);
			vdev_port_write(e->io.port, e->io.size, val);
		}
	}
	/* a guest polling its UART should see what was just typed */
	if (e->io.port >= vuart_dev.base &&
	    e->io.port < vuart_dev.base + vuart_dev.len)
		console_poll();
}

static void handle_cpuid(struct vcpu_exit *e)
{
	struct vcpu_ctl ctl;
	struct cpuid_result r = { e->cpuid.eax, e->cpuid.ebx, e->cpuid.ecx,
				  e->cpuid.edx };

	vcpu_get_ctl(m.vcpu, &ctl);
	cpuid_policy(e->cpuid.leaf, e->cpuid.subleaf, ctl.cr4, &r);
	e->cpuid.eax = r.eax;
	e->cpuid.ebx = r.ebx;
	e->cpuid.ecx = r.ecx;
	e->cpuid.edx = r.edx;
}

static void __attribute__((noreturn)) guest_stop(const char *what)
{
	pr("guest stopped: %s\n", what);
	guestlog_print_tail();
	vcpu_dump(m.vcpu);
	m.state = GUEST_STOPPED;
	power_off(STATUS_GUEST_FAULT);
}

static void handle_mem(struct vcpu_exit *e)
{
	char what[160];

	tsnprintf(what, sizeof(what), "EPT violation: guest-physical "
		  "address 0x%lx is outside guest RAM (%lu MiB) [%s%s%s]",
		  (unsigned long)e->mem.gpa,
		  (unsigned long)(m.bi->guest_mem_size >> 20),
		  e->mem.read ? "r" : "", e->mem.write ? "w" : "",
		  e->mem.fetch ? "x" : "");
	guest_stop(what);
}

static void handle_hlt(void)
{
	m.state = GUEST_HALTED;
	if (vcpu_irq_ready(m.vcpu) || m.halt_reported)
		return;
	/* nothing can wake a guest that halts with interrupts off */
	pr("guest halted with interrupts disabled\n");
	m.halt_reported = true;
}

static void handle_exit(struct vcpu_exit *e)
{
	switch (e->kind) {
	case VCPU_EXIT_IO:
		handle_io(e);
		break;
	case VCPU_EXIT_CPUID:
		handle_cpuid(e);
		break;
	case VCPU_EXIT_MSR_READ:
		e->msr.fault = !msr_read(e->msr.index, &e->msr.value);
		break;
	case VCPU_EXIT_MSR_WRITE:
		e->msr.fault = !msr_write(e->msr.index, e->msr.value);
		break;
	case VCPU_EXIT_RDTSC:
		e->val.value = env_tsc();
		break;
	case VCPU_EXIT_RDRAND:
	case VCPU_EXIT_RDSEED:
		e->val.ok = env_random(e->kind == VCPU_EXIT_RDSEED,
				       &e->val.value);
		break;
	case VCPU_EXIT_HLT:
		handle_hlt();
		break;
	case VCPU_EXIT_TIMER:
	case VCPU_EXIT_BUDGET:
		console_poll();
		break;
	case VCPU_EXIT_IRQ_WINDOW:
		break;		/* delivered at the top of the loop */
	case VCPU_EXIT_STEP:
		break;		/* ft/epoch.c steps to an epoch end */
	case VCPU_EXIT_MEM:
		handle_mem(e);
		break;
	case VCPU_EXIT_SHUTDOWN:
		guest_stop("triple fault (shutdown)");
	case VCPU_EXIT_FAILED:
		guest_stop(e->fail.what);
	}
}

/* Interrupts reach the guest from the PIC: injected when it can take
 * one, else the vcpu is asked to exit as soon as it can. A halted guest
 * wakes for an interrupt it can take. */
static void deliver_interrupts(void)
{
	if (!pic_has_interrupt()) {
		vcpu_request_irq_window(m.vcpu, false);
		return;
	}
	if (!vcpu_irq_ready(m.vcpu)) {
		vcpu_request_irq_window(m.vcpu, true);
		return;
	}
	vcpu_inject_irq(m.vcpu, pic_ack());
	if (m.state == GUEST_HALTED)
		m.state = GUEST_RUNNING;
}

/* Epochs: interrupts reach the guest only between two epochs, so that
 * each lands at an exactly reproducible point (docs/epochs.md). A halted
 * guest waits at the boundary; the next epoch starts when it runs. */
static void epoch_boundary(void)
{
	if (pic_has_interrupt() && vcpu_irq_ready(m.vcpu)) {
		uint8_t vector = pic_ack();

		vcpu_inject_irq(m.vcpu, vector);
		epoch_irq(vector);
		if (m.state == GUEST_HALTED)
			m.state = GUEST_RUNNING;
	}
	if (m.state != GUEST_RUNNING)
		return;
	epoch_begin();
	m.epoch_boundary = false;
}

static void restart_guest(void)
{
	struct guest_start gs;
	char err[256];

	pr("guest restart (%s)\n", m.reset_reason);
	m.reset_reason = NULL;
	m.restarts++;
	m.epoch_boundary = true;
	if (guest_load(m.bi, &gs, err, sizeof(err))) {
		pr("%s\n", err);
		power_off(STATUS_BAD_INPUT);
	}
	vdev_reset_all();
	guestlog_reset();
	guest_start(m.vcpu, &gs);
	m.state = GUEST_RUNNING;
	m.halt_reported = false;
}

static void check_panic(void)
{
	if (!guestlog_panic_done())
		return;
	guest_stop("guest kernel panic");
}

/* One turn of the loop: time first (timers may raise interrupts), then
 * interrupts, then the guest, up to the next timer deadline. */
static void machine_step(void)
{
	uint64_t t0;

	pit_tick(env_now());
	ft_poll();
	vuart_poll();
	if (m.reset_reason)
		restart_guest();
	if (epoch_on()) {
		if (m.epoch_boundary &&
		    (m.state == GUEST_RUNNING || m.state == GUEST_HALTED))
			epoch_boundary();
	} else if (m.state == GUEST_RUNNING || m.state == GUEST_HALTED) {
		deliver_interrupts();
	}
	if (m.state != GUEST_RUNNING) {
		console_poll();
		cpu_relax();
		return;
	}
	vcpu_set_deadline(m.vcpu, pit_deadline());
	t0 = rdtsc();
	vcpu_run(m.vcpu, &m.exit);
	m.tsc_in_guest += rdtsc() - t0;
	if (epoch_exit(&m.exit))
		m.epoch_boundary = true;
	handle_exit(&m.exit);
	env_answered(&m.exit);
	vcpu_complete(m.vcpu, &m.exit);
	check_panic();
}

static void print_timeline(void)
{
	const struct boot_info *bi = m.bi;
	uint64_t khz = bi->tsc_hz / 1000 ? bi->tsc_hz / 1000 : 1;

	pr("boot timeline (TSC ticks from UEFI entry, %lu kHz): exit boot "
	   "services %lu (%lu ms), first VM entry %lu (%lu ms)\n",
	   (unsigned long)khz,
	   (unsigned long)(bi->tsc_exit_bs - bi->tsc_efi_entry),
	   (unsigned long)((bi->tsc_exit_bs - bi->tsc_efi_entry) / khz),
	   (unsigned long)(m.tsc_first_entry - bi->tsc_efi_entry),
	   (unsigned long)((m.tsc_first_entry - bi->tsc_efi_entry) / khz));
}

void machine_run(struct boot_info *bi, const struct guest_start *gs)
{
	struct cpuid_regs r;
	char err[160];

	m.bi = bi;
	cpuid_count(0, 0, &r);
	cpuid_policy_init(bi->tsc_hz, r.eax);
	/* poll the console at least every 10 ms of guest time */
	m.vcpu = vcpu_create(bi->guest_mem, bi->guest_mem_size,
			     bi->tsc_hz / 100, err, sizeof(err));
	if (!m.vcpu) {
		pr("cannot create the vcpu: %s\n", err);
		power_off(STATUS_HOST_FAULT);
	}
	if (epoch_init(bi, m.vcpu))
		power_off(STATUS_BAD_INPUT);
	m.epoch_boundary = true;
	vdev_reset_all();
	guestlog_reset();
	guest_start(m.vcpu, gs);
	console_init();
	m.state = GUEST_RUNNING;
	m.tsc_first_entry = rdtsc();
	print_timeline();
	pr("guest running; Ctrl-A c for the monitor\n");
	for (;;)
		machine_step();
}

/* Link-only mode (no VT-x) runs the monitor without a guest. */
static bool no_guest(void)
{
	if (m.vcpu)
		return false;
	pr_raw("guest       none: no VT-x here, link-only mode\n");
	return true;
}

void machine_print_status(void)
{
	struct vcpu_exit_count counts[32];
	uint64_t hz, now, up, run, hv;
	size_t n;
	char pic[80];

	if (no_guest())
		return;
	hz = m.bi->tsc_hz ? m.bi->tsc_hz : 1;
	now = rdtsc();
	up = (now - m.bi->tsc_efi_entry) / hz;
	run = now - m.tsc_first_entry;
	hv = run > m.tsc_in_guest ? run - m.tsc_in_guest : 0;
	n = vcpu_exit_counts(m.vcpu, counts, 32);

	pr_raw("uptime      %lu s\n", (unsigned long)up);
	pr_raw("guest       %s, %s, %lu MiB, %lu restarts\n",
	       m.bi->cfg.kernel[0] ? m.bi->cfg.kernel : m.bi->cfg.guest,
	       state_names[m.state],
	       (unsigned long)(m.bi->guest_mem_size >> 20),
	       (unsigned long)m.restarts);
	pr_raw("time        %lu TSC ticks since the first VM entry: %lu%% "
	       "running the guest (%lu), %lu%% in tandem or idle\n",
	       (unsigned long)run,
	       (unsigned long)(run ? m.tsc_in_guest * 100 / run : 0),
	       (unsigned long)m.tsc_in_guest,
	       (unsigned long)(run ? hv * 100 / run : 0));
	pic_describe(pic, sizeof(pic));
	pr_raw("PIC         %s\n", pic);
	pr_raw("VM exits    %lu\n", (unsigned long)vcpu_exits_total(m.vcpu));
	for (size_t i = 0; i < n; i++)
		pr_raw("  %-40s %lu\n", counts[i].name,
		       (unsigned long)counts[i].count);
}

/* At power-off, for every run (tools/bench-epochs reads it): the TSC
 * ticks from the first VM entry to now, which in Bochs count
 * instructions, tandem's included; nothing if the guest never ran. */
void machine_print_runtime(uint64_t now)
{
	if (!m.tsc_first_entry)
		return;
	pr("ran %lu TSC ticks from the first VM entry, %lu running the "
	   "guest\n", (unsigned long)(now - m.tsc_first_entry),
	   (unsigned long)m.tsc_in_guest);
}

void machine_print_regs(void)
{
	if (no_guest())
		return;
	vcpu_dump(m.vcpu);
}

void machine_pause(void)
{
	if (no_guest())
		return;
	if (m.state == GUEST_RUNNING || m.state == GUEST_HALTED)
		m.state = GUEST_PAUSED;
	pr("guest %s\n", state_names[m.state]);
}

void machine_resume(void)
{
	if (no_guest())
		return;
	if (m.state == GUEST_PAUSED)
		m.state = GUEST_RUNNING;
	pr("guest %s\n", state_names[m.state]);
}

void machine_poweroff(void)
{
	power_off(STATUS_OPERATOR);
}

void machine_reboot(void)
{
	power_reboot();
}

void machine_guest_poweroff(void)
{
	epoch_guest_ending();
	pr("guest powered off\n");
	power_off(0);
}

void machine_guest_reset(const char *how)
{
	epoch_guest_ending();
	m.reset_reason = how;
}
