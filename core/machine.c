/* The main loop: run the guest, serve each exit through core/'s devices
 * and policies, poll the console between runs. */
#include "core/machine.h"
#include "core/console.h"
#include "core/cpuid.h"
#include "core/env.h"
#include "core/msr.h"
#include "core/power.h"
#include "core/vdev.h"
#include "ft/ft.h"
#include "arch/x86/cpu.h"
#include "arch/x86/vcpu.h"
#include "lib/print.h"
#include "lib/string.h"

static struct {
	struct boot_info *bi;
	struct vcpu *vcpu;
	enum guest_state state;
	uint64_t tsc_first_entry;
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
	/* the guest polls its UART: let it see what was typed */
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

static void guest_stop(const char *what)
{
	pr("guest stopped: %s\n", what);
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
		/* no virtual interrupt source yet: nothing can wake it */
		pr("guest halted (HLT, no interrupt source)\n");
		m.state = GUEST_HALTED;
		break;
	case VCPU_EXIT_TIMER:
		console_poll();
		break;
	case VCPU_EXIT_MEM:
		handle_mem(e);
		break;
	case VCPU_EXIT_SHUTDOWN:
		guest_stop("triple fault (shutdown)");
		break;
	case VCPU_EXIT_FAILED:
		guest_stop(e->fail.what);
		break;
	}
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

void machine_run(struct boot_info *bi, const struct guest_entry *entry)
{
	char err[160];

	m.bi = bi;
	/* poll the console at least every 10 ms of guest time */
	m.vcpu = vcpu_create(bi->guest_mem, bi->guest_mem_size,
			     bi->tsc_hz / 100, err, sizeof(err));
	if (!m.vcpu) {
		pr("cannot create the vcpu: %s\n", err);
		power_off(STATUS_HOST_FAULT);
	}
	vcpu_set_entry32(m.vcpu, entry->eip, entry->eax, entry->ebx);
	console_init();
	m.state = GUEST_RUNNING;
	m.tsc_first_entry = rdtsc();
	print_timeline();
	pr("guest running; Ctrl-A c for the monitor\n");
	for (;;) {
		ft_poll();
		if (m.state != GUEST_RUNNING) {
			console_poll();
			cpu_relax();
			continue;
		}
		vcpu_run(m.vcpu, &m.exit);
		handle_exit(&m.exit);
	}
}

void machine_print_status(void)
{
	struct vcpu_exit_count counts[32];
	uint64_t hz = m.bi->tsc_hz ? m.bi->tsc_hz : 1;
	uint64_t up = (rdtsc() - m.bi->tsc_efi_entry) / hz;
	size_t n = vcpu_exit_counts(m.vcpu, counts, 32);

	pr_raw("uptime      %lu s\n", (unsigned long)up);
	pr_raw("guest       %s, %s, %lu MiB\n", m.bi->cfg.guest,
	       state_names[m.state],
	       (unsigned long)(m.bi->guest_mem_size >> 20));
	pr_raw("VM exits    %lu\n", (unsigned long)vcpu_exits_total(m.vcpu));
	for (size_t i = 0; i < n; i++)
		pr_raw("  %-40s %lu\n", counts[i].name,
		       (unsigned long)counts[i].count);
}

void machine_pause(void)
{
	if (m.state == GUEST_RUNNING)
		m.state = GUEST_PAUSED;
	pr("guest %s\n", state_names[m.state]);
}

void machine_resume(void)
{
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
