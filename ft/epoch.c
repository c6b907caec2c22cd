/* The epoch engine: record and replay of the guest in one host
 * (ft/epoch.h, docs/epochs.md). */
#include "ft/epoch.h"
#include "ft/crc32c.h"
#include "ft/digest.h"
#include "ft/eplog.h"
#include "ft/skid.h"
#include "ft/snapshot.h"
#include "core/env.h"
#include "core/power.h"
#include "core/vdev.h"
#include "arch/x86/cpu.h"
#include "lib/palloc.h"
#include "lib/print.h"
#include "lib/string.h"

enum check_phase { CHECK_NONE, CHECK_ARMED, CHECK_RECORDING };

struct position {
	uint64_t start;		/* vcpu_progress() at the epoch start */
	uint64_t at;		/* progress in the epoch at the last exit */
	uint32_t sub;		/* instruction exits seen at 'at' */
};

static struct {
	bool on;
	struct vcpu *v;
	const struct boot_info *bi;
	uint32_t e;			/* units per epoch */
	uint32_t epoch;			/* current epoch, from 1 */
	struct position pos;
	struct eplog log;
	uint64_t log_bytes;		/* appended since boot */
	struct eplog_page *pages;	/* dirty list of this epoch end */
	uint32_t npages, max_pages;
	uint8_t *end_buf;		/* END payload being built */
	uint8_t *snap_buf;
	size_t snap_cap;
	uint8_t *s1_buf;		/* vcpu + devices at the check's end */
	/* replaycheck */
	enum check_phase phase;
	uint32_t check_n, check_first, check_done;
	uint32_t corrupt_epoch;
	size_t last_input;		/* log offset of the last input */
	/* the end of an epoch: the budget armed 'margin' units early,
	 * then single-steps to it (ft/skid.h) */
	uint64_t margin;
	struct skid skid;		/* the live epoch's */
	char step_found[200];		/* what the stepping self-test found */
	/* statistics */
	uint64_t epochs, irqs;
	uint64_t steps_total, steps_max;	/* per live epoch end */
	uint64_t end_tsc_total, end_tsc_max;
	bool dirty_ok;
} ep;

bool epoch_on(void)
{
	return ep.on;
}

/* ---- digest ---------------------------------------------------------- */

static void add_page(uint64_t gfn, void *arg)
{
	(void)arg;
	if (ep.npages < ep.max_pages)
		ep.pages[ep.npages++] = (struct eplog_page){
			(uint32_t)gfn,
			digest_page(ep.bi->guest_mem + gfn * PAGE_SIZE) };
}

static void ignore_page(uint64_t gfn, void *arg)
{
	(void)gfn;
	(void)arg;
}

/* The END payload for the state at the last exit. */
static uint32_t build_end(uint8_t kind)
{
	struct eplog_end *end = (struct eplog_end *)ep.end_buf;

	memset(end, 0, sizeof(*end));
	end->kind = kind;
	end->sub = ep.pos.sub;
	end->progress = ep.pos.at;
	vcpu_digest_regs(ep.v, end->regs);
	ep.npages = 0;
	if (ep.dirty_ok)
		vcpu_dirty_pages(ep.v, add_page, NULL);
	end->ndirty = ep.npages;
	end->mem = digest_mem(ep.pages, ep.npages);
	memcpy(ep.end_buf + sizeof(*end), ep.pages,
	       ep.npages * sizeof(struct eplog_page));
	return sizeof(*end) + ep.npages * sizeof(struct eplog_page);
}

/* ---- log ------------------------------------------------------------- */

static void log_append(uint8_t type, const void *payload, uint32_t len)
{
	size_t before = ep.log.len;

	if (eplog_append(&ep.log, type, ep.epoch, payload, len)) {
		if (ep.phase == CHECK_RECORDING) {
			pr("replaycheck: log full (%lu bytes, epoch_log): "
			   "check abandoned\n", (unsigned long)ep.log.cap);
			ep.phase = CHECK_NONE;
		}
		/* outside a check nobody reads the log yet: start over */
		eplog_init(&ep.log, ep.log.buf, ep.log.cap);
		before = ep.log.len;
		eplog_append(&ep.log, type, ep.epoch, payload, len);
	}
	/* a value the guest reads (not an OUT, logged only to check the
	 * request) */
	if (type != EPLOG_END && type != EPLOG_IRQ &&
	    !(type == EPLOG_IO && !((const uint8_t *)payload)[3]))
		ep.last_input = before;
	ep.log_bytes += ep.log.len - before;
}

/* Payload of core's answer to e; 0 for exits that take no input. */
static uint32_t answer_payload(const struct vcpu_exit *e, uint8_t *p,
			       uint8_t *type)
{
	switch (e->kind) {
	case VCPU_EXIT_IO: {
		uint32_t n = e->io.in ? (uint32_t)e->io.count * e->io.size : 0;

		*type = EPLOG_IO;
		memcpy(p, &e->io.port, 2);
		p[2] = e->io.size;
		p[3] = e->io.in;
		memcpy(p + 4, &e->io.count, 2);
		memcpy(p + 6, e->io.data, n);
		return 6 + n;
	}
	case VCPU_EXIT_CPUID:
		*type = EPLOG_CPUID;
		memcpy(p, &e->cpuid, 24);
		return 24;
	case VCPU_EXIT_MSR_READ:
	case VCPU_EXIT_MSR_WRITE:
		*type = EPLOG_MSR;
		memcpy(p, &e->msr.index, 4);
		p[4] = e->kind == VCPU_EXIT_MSR_WRITE;
		p[5] = e->msr.fault;
		memcpy(p + 6, &e->msr.value, 8);
		return 14;
	case VCPU_EXIT_RDTSC:
		*type = EPLOG_TSC;
		memcpy(p, &e->val.value, 8);
		return 8;
	case VCPU_EXIT_RDRAND:
	case VCPU_EXIT_RDSEED:
		*type = EPLOG_RAND;
		p[0] = e->kind == VCPU_EXIT_RDSEED;
		p[1] = e->val.ok;
		memcpy(p + 2, &e->val.value, 8);
		return 10;
	default:
		return 0;
	}
}

static void answered(const struct vcpu_exit *e)
{
	uint8_t p[8 + VCPU_IO_MAX], type = 0;
	uint32_t len = answer_payload(e, p, &type);

	if (len)
		log_append(type, p, len);
}

static const struct env_hooks record_hooks = { .answered = answered };

/* Test knob: flip the low byte of the last value logged in this epoch (its CRC
 * made good again, so only replay can tell); false if it logged none. */
static bool corrupt_last_input(void)
{
	uint8_t *r = ep.log.buf + ep.last_input;
	uint32_t len, epoch, crc;
	size_t at;

	if (ep.last_input < EPLOG_HDR)
		return false;
	memcpy(&epoch, r + 4, 4);
	memcpy(&len, r + 8, 4);
	if (epoch != ep.epoch)
		return false;
	switch (r[0]) {
	case EPLOG_IO: at = 6; break;
	case EPLOG_CPUID: at = 8; break;
	case EPLOG_MSR: at = 6; break;
	case EPLOG_TSC: at = 0; break;
	case EPLOG_RAND: at = 2; break;
	default: return false;
	}
	if (at >= len)
		return false;
	r[EPLOG_REC_HDR + at] ^= 0xff;
	crc = crc32c(0, r, EPLOG_REC_HDR + len);
	memcpy(r + EPLOG_REC_HDR + len, &crc, 4);
	pr("replaycheck: test: flipped the low byte of the %s value logged last "
	   "in epoch %u\n", eplog_type_name(r[0]), ep.epoch);
	return true;
}

/* ---- snapshot ---------------------------------------------------------- */

/* "ramcrc": the CRC-32C of each page of the "ram" section, so that a
 * snapshot overwritten while it waited (a host bug, or later a transfer
 * gone wrong) is refused by page rather than replayed into a false
 * divergence. */
static int ram_crcs_add(struct snap *s, const uint8_t *ram)
{
	uint64_t pages = ep.bi->guest_mem_size / PAGE_SIZE;
	uint32_t *crc = snap_add(s, "ramcrc", pages * sizeof(uint32_t));

	if (!crc)
		return -1;
	for (uint64_t i = 0; i < pages; i++)
		crc[i] = digest_page(ram + i * PAGE_SIZE);
	return 0;
}

/* 0 if every page of ram matches its CRC; else names the first bad one. */
static int ram_crcs_check(const uint8_t *ram)
{
	uint64_t pages = ep.bi->guest_mem_size / PAGE_SIZE, len, bad = 0;
	const uint32_t *crc = snap_find(ep.snap_buf, ep.snap_cap, "ramcrc",
					&len);

	if (!crc || len != pages * sizeof(uint32_t)) {
		pr("snapshot: no page CRCs\n");
		return -1;
	}
	for (uint64_t i = 0; i < pages; i++) {
		if (digest_page(ram + i * PAGE_SIZE) == crc[i])
			continue;
		if (!bad++)
			pr("snapshot: guest page 0x%lx changed since it was "
			   "taken\n", (unsigned long)(i * PAGE_SIZE));
	}
	if (bad)
		pr("snapshot: %lu pages changed\n", (unsigned long)bad);
	return bad ? -1 : 0;
}

/* The whole guest: vcpu, devices, RAM (ft/snapshot.h). */
static int snapshot_take(void)
{
	struct snap s;
	void *p;

	snap_init(&s, ep.snap_buf, ep.snap_cap);
	p = snap_add(&s, "vcpu", vcpu_state_size());
	if (!p)
		return -1;
	vcpu_save(ep.v, p);
	p = snap_add(&s, "devices", vdev_state_size());
	if (!p)
		return -1;
	vdev_save(p);
	p = snap_add(&s, "ram", ep.bi->guest_mem_size);
	if (!p)
		return -1;
	memcpy(p, ep.bi->guest_mem, ep.bi->guest_mem_size);
	return ram_crcs_add(&s, p);
}

static int snapshot_restore(bool ram)
{
	const void *vc, *dv, *rm;
	uint64_t lv, ld, lr;

	vc = snap_find(ep.snap_buf, ep.snap_cap, "vcpu", &lv);
	dv = snap_find(ep.snap_buf, ep.snap_cap, "devices", &ld);
	rm = snap_find(ep.snap_buf, ep.snap_cap, "ram", &lr);
	if (!vc || lv != vcpu_state_size() || !dv ||
	    ld != vdev_state_size() || !rm || lr != ep.bi->guest_mem_size)
		return -1;
	if (ram && ram_crcs_check(rm))
		return -1;
	vcpu_restore(ep.v, vc);
	vdev_restore(dv);
	if (ram)
		memcpy(ep.bi->guest_mem, rm, lr);
	return 0;
}

/* ---- arming early, stepping to the end ---------------------------------- */

/* The budget for an epoch that ends at target: armed 'margin' units
 * early; record and replay arm alike, so that both step the same
 * instructions. */
static void arm(struct skid *s, const struct skid_pos *target, bool regs)
{
	skid_start(s, target, regs, ep.margin);
	vcpu_set_budget(ep.v, skid_arm(s));
}

/* The budget or a single-step stopped the guest at pos: step on, with
 * the budget behind as a backstop (a step that TF stepping loses to an
 * event comes back there), or stop stepping. */
static enum skid_verdict stopped(struct skid *s, const struct position *pos)
{
	uint64_t r[VCPU_DIGEST_REGS];
	enum skid_verdict v;

	vcpu_digest_regs(ep.v, r);
	v = skid_stop(s, &(struct skid_pos){ pos->at, r[VCPU_DIGEST_RIP],
					     r[VCPU_DIGEST_RCX] });
	vcpu_single_step(ep.v, v == SKID_STEP);
	if (v == SKID_STEP)
		vcpu_set_budget(ep.v, skid_backstop(s));
	return v;
}

/* ---- replay ------------------------------------------------------------ */

struct replay {
	struct eplog_reader rd;
	struct eplog_end want;		/* END of the epoch being replayed */
	const struct eplog_page *want_pages;
	uint32_t epoch;
	uint64_t steps;			/* single-steps of the whole replay */
	char why[200];
};

static bool is_instruction_exit(enum vcpu_exit_kind k)
{
	switch (k) {
	case VCPU_EXIT_IO: case VCPU_EXIT_CPUID: case VCPU_EXIT_MSR_READ:
	case VCPU_EXIT_MSR_WRITE: case VCPU_EXIT_RDTSC:
	case VCPU_EXIT_RDRAND: case VCPU_EXIT_RDSEED: case VCPU_EXIT_HLT:
		return true;
	default:
		return false;
	}
}

static void track(struct position *pos, const struct vcpu_exit *e)
{
	uint64_t at = vcpu_progress(ep.v) - pos->start;

	if (at != pos->at) {
		pos->at = at;
		pos->sub = 0;
	}
	if (is_instruction_exit(e->kind))
		pos->sub++;
}

static int next_rec(struct replay *r, struct eplog_rec *rec)
{
	int rc = eplog_next(&r->rd, rec, r->why, sizeof(r->why));

	if (!rc)
		tsnprintf(r->why, sizeof(r->why), "the log ended");
	return rc == 1 ? 0 : -1;
}

/* Find this epoch's END ahead of its inputs. */
static int find_end(struct replay *r)
{
	struct eplog_reader ahead = r->rd;
	struct eplog_rec rec;

	for (;;) {
		int rc = eplog_next(&ahead, &rec, r->why, sizeof(r->why));

		if (rc <= 0) {
			if (!rc)
				tsnprintf(r->why, sizeof(r->why), "no end "
					  "of epoch %u in the log", r->epoch);
			return -1;
		}
		if (rec.type == EPLOG_END && rec.epoch == r->epoch)
			break;
	}
	memcpy(&r->want, rec.payload, sizeof(r->want));
	r->want_pages = (const struct eplog_page *)
			(rec.payload + sizeof(r->want));
	return 0;
}

/* A request as replay compares it: its kind and what names it. */
static void describe_request(uint8_t type, const uint8_t *p, uint32_t len,
			     char *buf, size_t n)
{
	uint32_t a = 0, b = 0;

	if (type == EPLOG_IO && len >= 6) {
		memcpy(&a, p, 2);
		memcpy(&b, p + 4, 2);
		tsnprintf(buf, n, "io %s port 0x%x size %u count %u",
			  p[3] ? "in" : "out", a, p[2], b);
	} else if (type == EPLOG_CPUID && len >= 8) {
		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		tsnprintf(buf, n, "cpuid 0x%x.%u", a, b);
	} else if (type == EPLOG_MSR && len >= 5) {
		memcpy(&a, p, 4);
		tsnprintf(buf, n, "%s 0x%x", p[4] ? "wrmsr" : "rdmsr", a);
	} else {
		tsnprintf(buf, n, "%s", eplog_type_name(type));
	}
}

/* Serve exit e from the next log record. */
static int replay_answer(struct replay *r, struct vcpu_exit *e)
{
	uint8_t mine[8 + VCPU_IO_MAX], type = 0;
	uint32_t len = answer_payload(e, mine, &type);
	struct eplog_rec rec;

	if (!len)
		return 0;
	if (next_rec(r, &rec))
		return -1;
	/* the request must match: same kind, port/leaf/MSR, size */
	if (rec.type != type || rec.len != len ||
	    memcmp(rec.payload, mine, type == EPLOG_CPUID ? 8 :
		   type == EPLOG_IO ? 6 : type == EPLOG_MSR ? 5 :
		   type == EPLOG_RAND ? 1 : 0)) {
		char want[48], have[48];

		describe_request(type, mine, len, want, sizeof(want));
		describe_request(rec.type, rec.payload, rec.len, have,
				 sizeof(have));
		tsnprintf(r->why, sizeof(r->why), "the guest asked for %s "
			  "but record %lu (offset %lu) is %s", want,
			  (unsigned long)rec.index, (unsigned long)rec.offset,
			  have);
		return -1;
	}
	switch (type) {
	case EPLOG_IO:
		memcpy(e->io.data, rec.payload + 6, len - 6);
		break;
	case EPLOG_CPUID:
		memcpy(&e->cpuid, rec.payload, 24);
		break;
	case EPLOG_MSR:
		e->msr.fault = rec.payload[5];
		memcpy(&e->msr.value, rec.payload + 6, 8);
		break;
	case EPLOG_TSC:
		memcpy(&e->val.value, rec.payload, 8);
		break;
	case EPLOG_RAND:
		e->val.ok = rec.payload[1];
		memcpy(&e->val.value, rec.payload + 2, 8);
		break;
	}
	return 0;
}

/* Compare the state at this epoch end with what record logged. */
static int compare_end(struct replay *r)
{
	const struct eplog_end *got;
	struct eplog_rec rec;
	uint32_t gfn;
	int reg;

	build_end(r->want.kind);
	got = (const struct eplog_end *)ep.end_buf;
	reg = digest_first_reg(r->want.regs, got->regs, EPLOG_REGS);
	if (reg >= 0) {
		tsnprintf(r->why, sizeof(r->why), "register %s: recorded "
			  "0x%lx, replayed 0x%lx", vcpu_digest_reg_name(reg),
			  (unsigned long)r->want.regs[reg],
			  (unsigned long)got->regs[reg]);
		return -1;
	}
	if (!digest_first_page(r->want_pages, r->want.ndirty, ep.pages,
			       ep.npages, &gfn)) {
		tsnprintf(r->why, sizeof(r->why), "guest page 0x%lx differs",
			  (unsigned long)gfn << 12);
		return -1;
	}
	/* inputs the guest did not consume would sit before the END */
	if (next_rec(r, &rec))
		return -1;
	if (rec.type != EPLOG_END) {
		tsnprintf(r->why, sizeof(r->why), "the epoch ended before "
			  "its logged %s (record %lu)",
			  eplog_type_name(rec.type), (unsigned long)rec.index);
		return -1;
	}
	return 0;
}

static bool at_end(const struct replay *r, const struct position *pos,
		   const struct vcpu_exit *e)
{
	if (r->want.kind == EPOCH_END_FULL)
		return false;		/* stopped() says when */
	return is_instruction_exit(e->kind) && pos->at == r->want.progress &&
	       pos->sub == r->want.sub;
}

/* Inject the interrupts record delivered at this epoch end. */
static void replay_irqs(struct replay *r)
{
	struct eplog_reader ahead = r->rd;
	struct eplog_rec rec;
	char err[8];

	while (eplog_next(&ahead, &rec, err, sizeof(err)) == 1 &&
	       rec.type == EPLOG_IRQ && rec.epoch == r->epoch) {
		vcpu_inject_irq(ep.v, rec.payload[0]);
		r->rd = ahead;
	}
}

static int not_where(struct replay *r, const char *what, uint64_t at)
{
	tsnprintf(r->why, sizeof(r->why), "%s at progress %lu, not where "
		  "record ended (%s at %lu)", what, (unsigned long)at,
		  eplog_end_name(r->want.kind),
		  (unsigned long)r->want.progress);
	return -1;
}

/* A full epoch ends at the position record stopped at: its count, RIP
 * and RCX. An epoch that record ended at HLT or a stop was armed for
 * the full length all the same. */
static void replay_arm(struct replay *r, struct skid *s)
{
	if (r->want.kind == EPOCH_END_FULL)
		arm(s, &(struct skid_pos){ r->want.progress,
					   r->want.regs[VCPU_DIGEST_RIP],
					   r->want.regs[VCPU_DIGEST_RCX] },
		    true);
	else
		arm(s, &(struct skid_pos){ ep.e, 0, 0 }, false);
}

/* Run to the end of the epoch being replayed, serving inputs from the
 * log; 0 there, with its exit in *e. */
static int replay_run(struct replay *r, struct skid *s, struct vcpu_exit *e)
{
	struct position pos = { vcpu_progress(ep.v), 0, 0 };
	enum skid_verdict v;

	for (;;) {
		vcpu_run(ep.v, e);
		track(&pos, e);
		if (e->kind == VCPU_EXIT_BUDGET || e->kind == VCPU_EXIT_STEP) {
			v = stopped(s, &pos);
			if (v == SKID_STEP)
				continue;
			if (v == SKID_DONE && r->want.kind == EPOCH_END_FULL)
				return 0;
			if (v == SKID_DONE)
				return not_where(r, "full length", pos.at);
			skid_describe(s, r->why, sizeof(r->why));
			return -1;
		}
		if (at_end(r, &pos, e))
			return 0;
		if (e->kind == VCPU_EXIT_HLT)
			return not_where(r, "HLT", pos.at);
		if (e->kind == VCPU_EXIT_MEM || e->kind == VCPU_EXIT_SHUTDOWN ||
		    e->kind == VCPU_EXIT_FAILED) {
			tsnprintf(r->why, sizeof(r->why), "the guest faulted "
				  "(exit kind %u)", e->kind);
			return -1;
		}
		if (replay_answer(r, e))
			return -1;
		vcpu_complete(ep.v, e);
	}
}

static int replay_epoch(struct replay *r)
{
	struct vcpu_exit e;
	struct skid s;
	int rc;

	if (find_end(r))
		return -1;
	replay_arm(r, &s);
	rc = replay_run(r, &s, &e);
	vcpu_single_step(ep.v, false);
	r->steps += s.steps;
	if (rc || compare_end(r))
		return -1;
	if (r->want.kind == EPOCH_END_STOP)
		return 0;
	vcpu_complete(ep.v, &e);	/* HLT: past it, as record was */
	replay_irqs(r);
	return 0;
}

/* replay_dump: the checked log over the console, base64 (RFC 4648)
 * between two marker lines, for tools/logdump --console. The console is
 * the only way out of tandem for now; the link will carry logs later. */
static void dump_log(const uint8_t *b, size_t len)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789+/";
	char line[80];
	size_t n = 0;

	pr("eplog: begin %lu bytes crc32c 0x%08x\n", (unsigned long)len,
	   crc32c(0, b, len));
	for (size_t i = 0; i < len; i += 3) {
		uint32_t w = (uint32_t)b[i] << 16 |
			     (i + 1 < len ? (uint32_t)b[i + 1] << 8 : 0) |
			     (i + 2 < len ? b[i + 2] : 0);

		line[n++] = b64[w >> 18 & 63];
		line[n++] = b64[w >> 12 & 63];
		line[n++] = i + 1 < len ? b64[w >> 6 & 63] : '=';
		line[n++] = i + 2 < len ? b64[w & 63] : '=';
		if (n == 76 || i + 3 >= len) {
			line[n] = 0;
			pr_raw("%s\n", line);
			n = 0;
		}
	}
	pr("eplog: end\n");
}

static void verdict(uint32_t n, struct replay *r, int rc)
{
	if (!rc && r->steps)
		pr("replaycheck: %u epochs replayed exactly (%lu "
		   "single-steps)\n", n, (unsigned long)r->steps);
	if (!rc && !r->steps)
		pr("replaycheck: %u epochs replayed exactly\n", n);
	if (!rc)
		return;
	pr("replaycheck: DIVERGED in epoch %u (replay epoch %u of %u): %s\n",
	   r->epoch, r->epoch - ep.check_first + 1, n, r->why);
}

/* Restore the snapshot, replay epochs [check_first, epoch], compare. */
static void run_check(void)
{
	uint32_t n = ep.epoch - ep.check_first + 1;
	struct replay r;
	int rc = 0;

	ep.phase = CHECK_NONE;
	power_notify(NULL);
	vcpu_save(ep.v, ep.s1_buf);
	vdev_save(ep.s1_buf + vcpu_state_size());
	if (snapshot_restore(true)) {
		pr("replaycheck: snapshot unreadable\n");
		power_off(STATUS_HOST_FAULT);
	}
	vcpu_dirty_pages(ep.v, ignore_page, NULL);
	memset(&r, 0, sizeof(r));
	if (eplog_reader_init(&r.rd, ep.log.buf, ep.log.len, r.why,
			      sizeof(r.why)))
		rc = -1;
	for (r.epoch = ep.check_first; !rc && r.epoch <= ep.epoch; r.epoch++)
		rc = replay_epoch(&r);
	if (rc)
		r.epoch--;
	verdict(n, &r, rc);
	if (ep.bi->cfg.replay_dump)
		dump_log(ep.log.buf, ep.log.len);
	if (rc)
		power_off(STATUS_REPLAY_DIVERGED);
	/* memory is the recorded run's again (every digest matched) */
	vcpu_restore(ep.v, ep.s1_buf);
	vdev_restore(ep.s1_buf + vcpu_state_size());
	vcpu_dirty_pages(ep.v, ignore_page, NULL);
	ep.check_done++;
}

/* ---- record ------------------------------------------------------------ */

static void check_start(void)
{
	if (snapshot_take()) {
		pr("replaycheck: no room for the snapshot\n");
		ep.phase = CHECK_NONE;
		return;
	}
	eplog_init(&ep.log, ep.log.buf, ep.log.cap);
	vcpu_dirty_pages(ep.v, ignore_page, NULL);
	ep.check_first = ep.epoch;
	ep.phase = CHECK_RECORDING;
	power_notify(epoch_guest_ending);
	pr("replaycheck: recording %u epochs from epoch %u\n", ep.check_n,
	   ep.epoch);
}

void epoch_begin(void)
{
	ep.epoch++;
	ep.pos = (struct position){ vcpu_progress(ep.v), 0, 0 };
	arm(&ep.skid, &(struct skid_pos){ ep.e, 0, 0 }, false);
	if (ep.phase == CHECK_ARMED)
		check_start();
}

static void epoch_end(uint8_t kind)
{
	uint32_t len;
	uint64_t t0 = rdtsc();

	vcpu_single_step(ep.v, false);
	ep.steps_total += ep.skid.steps;
	if (ep.skid.steps > ep.steps_max)
		ep.steps_max = ep.skid.steps;
	len = build_end(kind);
	/* the cost of live epoch ends only: replay's are not in ep.epochs */
	t0 = rdtsc() - t0;
	ep.end_tsc_total += t0;
	if (t0 > ep.end_tsc_max)
		ep.end_tsc_max = t0;
	/* the first epoch from replay_corrupt_epoch on that read a value */
	if (ep.phase == CHECK_RECORDING && ep.corrupt_epoch &&
	    ep.epoch >= ep.corrupt_epoch && corrupt_last_input())
		ep.corrupt_epoch = 0;
	log_append(EPLOG_END, ep.end_buf, len);
	ep.epochs++;
	if (ep.phase == CHECK_RECORDING &&
	    (kind == EPOCH_END_STOP ||
	     ep.epoch - ep.check_first + 1 >= ep.check_n))
		run_check();
}

/* The live epoch's budget or a single-step stopped the guest. Past the
 * end is a bug or a counter that skids more than it says: nothing
 * recorded from here could be replayed, so tandem stops. */
static bool live_stop(void)
{
	char why[200];

	switch (stopped(&ep.skid, &ep.pos)) {
	case SKID_STEP:
		return false;
	case SKID_DONE:
		epoch_end(EPOCH_END_FULL);
		return true;
	case SKID_OVERSHOT:
		break;
	}
	skid_describe(&ep.skid, why, sizeof(why));
	pr("epochs: epoch %u OVERSHOT its end: %s\n", ep.epoch, why);
	power_off(STATUS_HOST_FAULT);
}

bool epoch_exit(const struct vcpu_exit *e)
{
	if (!ep.on)
		return false;
	track(&ep.pos, e);
	if (e->kind == VCPU_EXIT_BUDGET || e->kind == VCPU_EXIT_STEP)
		return live_stop();
	if (e->kind != VCPU_EXIT_HLT)
		return false;
	epoch_end(EPOCH_END_HLT);
	return true;
}

void epoch_irq(uint8_t vector)
{
	uint8_t p[9];

	memcpy(p + 1, &ep.pos.at, 8);
	p[0] = vector;
	log_append(EPLOG_IRQ, p, sizeof(p));
	ep.irqs++;
}

void epoch_guest_ending(void)
{
	if (ep.phase != CHECK_RECORDING)
		return;
	epoch_end(EPOCH_END_STOP);
}

void epoch_replaycheck(uint32_t n)
{
	if (!ep.on) {
		pr("replaycheck: epochs are off (config key 'epoch')\n");
		return;
	}
	ep.check_n = n ? n : 1;
	ep.phase = CHECK_ARMED;
}

static uint64_t steps_mean(void)
{
	return ep.epochs ? ep.steps_total / ep.epochs : 0;
}

void epoch_print_status(void)
{
	uint64_t hz = ep.bi && ep.bi->tsc_hz ? ep.bi->tsc_hz / 1000000 : 1;

	if (!ep.on) {
		pr_raw("epochs      off\n");
		return;
	}
	pr_raw("counter     %s\n",
	       vcpu_counter_name(vcpu_counter_kind(ep.v)));
	pr_raw("epoch       %u units; %lu epochs run, now %u\n", ep.e,
	       (unsigned long)ep.epochs, ep.epoch);
	pr_raw("steps       mean %lu, max %lu single-steps per epoch end "
	       "(%s, margin %lu units)\n", (unsigned long)steps_mean(),
	       (unsigned long)ep.steps_max,
	       vcpu_step_name(vcpu_step_kind(ep.v)), (unsigned long)ep.margin);
	pr_raw("epoch end   mean %lu us, max %lu us (digest)\n",
	       (unsigned long)(ep.epochs ?
			       ep.end_tsc_total / ep.epochs / (hz ? hz : 1) :
			       0),
	       (unsigned long)(ep.end_tsc_max / (hz ? hz : 1)));
	pr_raw("log         %lu bytes since boot (%lu per epoch), %lu in "
	       "the buffer; %lu interrupts\n", (unsigned long)ep.log_bytes,
	       (unsigned long)(ep.epochs ? ep.log_bytes / ep.epochs : 0),
	       (unsigned long)ep.log.len, (unsigned long)ep.irqs);
	pr_raw("replaycheck %u done\n", ep.check_done);
}

/* What TF stepping did to hide itself (the epoch lane checks it). */
static void print_step_counts(void)
{
	struct vcpu_step_counts c;

	if (vcpu_step_kind(ep.v) != VCPU_STEP_TF || !ep.margin)
		return;
	vcpu_step_counts(ep.v, &c);
	pr("epochs: TF+#DB stepping: %lu PUSHF images fixed, %lu #DB and "
	   "%lu other exceptions reflected, %lu entries delivered an event "
	   "untraced\n", (unsigned long)c.pushf, (unsigned long)c.db,
	   (unsigned long)c.exceptions, (unsigned long)c.untraced);
}

/* One line at power-off, for tools/bench-epochs: the figures of the
 * `epoch` command, with the epoch-end cost in TSC ticks too (in Bochs
 * the TSC counts instructions, so that is tandem's work per end). */
void epoch_print_summary(void)
{
	if (!ep.on)
		return;
	pr("epochs: %lu run of %u units, %lu units in all; end mean %lu max "
	   "%lu TSC ticks; log %lu bytes, %lu per epoch; %lu interrupts; "
	   "steps mean %lu max %lu\n",
	   (unsigned long)ep.epochs, ep.e,
	   (unsigned long)vcpu_progress(ep.v),
	   (unsigned long)(ep.epochs ? ep.end_tsc_total / ep.epochs : 0),
	   (unsigned long)ep.end_tsc_max, (unsigned long)ep.log_bytes,
	   (unsigned long)(ep.epochs ? ep.log_bytes / ep.epochs : 0),
	   (unsigned long)ep.irqs, (unsigned long)steps_mean(),
	   (unsigned long)ep.steps_max);
	print_step_counts();
}

/* ---- set-up -------------------------------------------------------------- */

/* Enable one kind; its reason, if it fails, goes after what why holds. */
static int enable_counter(enum vcpu_counter_kind k, char *why, size_t len)
{
	size_t n = strlen(why);

	return vcpu_counter_enable(ep.v, k, why + n, len - n);
}

/* epoch_counter: exact, pmu, or auto (the default): exact first, since
 * it stops where it should with no single-stepping, then the PMU, for
 * machines whose preemption timer does not count instructions (real
 * hardware). Both twins must use the same kind. */
static int pick_counter(const char *want, char *why, size_t len)
{
	char exact_why[160];

	if (!strcmp(want, "exact") || !strcmp(want, "pmu")) {
		tsnprintf(why, len, "epoch_counter = %s: ", want);
		return enable_counter(want[0] == 'e' ? VCPU_COUNTER_EXACT :
				      VCPU_COUNTER_PMU, why, len);
	}
	if (want[0] && strcmp(want, "auto")) {
		tsnprintf(why, len, "epoch_counter: '%s' is not one of auto, "
			  "exact, pmu", want);
		return -1;
	}
	if (!vcpu_counter_enable(ep.v, VCPU_COUNTER_EXACT, exact_why,
				 sizeof(exact_why)))
		return 0;
	tsnprintf(why, len, "epoch_counter = auto: exact: %s; pmu: ",
		  exact_why);
	return enable_counter(VCPU_COUNTER_PMU, why, len);
}

/* The margin: epoch_skid, or the counter's own skid; the single-step
 * mechanism, by self-test, when there is a margin to step through. */
static int pick_margin(const struct tandem_config *c, char *why,
		       size_t len)
{
	uint64_t skid = vcpu_counter_skid(ep.v);
	enum vcpu_step_kind k;

	ep.margin = c->epoch_skid ? c->epoch_skid : skid;
	if (skid_check_margin(ep.margin, skid, why, len))
		return -1;
	k = vcpu_step_enable(ep.v, ep.step_found, sizeof(ep.step_found));
	if (!ep.margin || k != VCPU_STEP_NONE)
		return 0;
	tsnprintf(why, len, "a margin of %lu units needs single-stepping, "
		  "and there is none: %s", (unsigned long)ep.margin,
		  ep.step_found);
	return -1;
}

int epoch_init(const struct boot_info *bi, struct vcpu *v)
{
	const struct tandem_config *c = &bi->cfg;
	uint64_t pages = bi->guest_mem_size / PAGE_SIZE;
	char why[320];

	if (!c->epoch && !c->replaycheck)
		return 0;
	ep.v = v;
	ep.bi = bi;
	ep.e = c->epoch ? c->epoch : 100000;
	if (pick_counter(c->epoch_counter, why, sizeof(why))) {
		pr("%s: epochs need a progress counter: %s\n",
		   bi->cfg_name, why);
		return -1;
	}
	if (pick_margin(c, why, sizeof(why))) {
		pr("%s: epoch_skid: %s\n", bi->cfg_name, why);
		return -1;
	}
	ep.dirty_ok = vcpu_dirty_log_enable(v);
	if (!ep.dirty_ok)
		pr("epochs: no EPT dirty flags: digests cover registers "
		   "only\n");
	ep.max_pages = (uint32_t)pages;
	ep.pages = palloc_pages((pages * sizeof(struct eplog_page) +
				 PAGE_SIZE - 1) / PAGE_SIZE);
	ep.end_buf = palloc_pages((sizeof(struct eplog_end) + pages *
				   sizeof(struct eplog_page)) / PAGE_SIZE + 1);
	ep.snap_cap = bi->guest_mem_size + pages * sizeof(uint32_t) +
		      5 * PAGE_SIZE + vcpu_state_size() + vdev_state_size();
	ep.snap_buf = palloc_pages(ep.snap_cap / PAGE_SIZE + 1);
	ep.s1_buf = palloc_pages((vcpu_state_size() + vdev_state_size()) /
				 PAGE_SIZE + 1);
	void *logbuf = palloc_pages(c->epoch_log / PAGE_SIZE);

	if (!ep.pages || !ep.end_buf || !ep.snap_buf || !ep.s1_buf ||
	    !logbuf) {
		pr("epochs: out of memory for the log and snapshot\n");
		return -1;
	}
	eplog_init(&ep.log, logbuf, c->epoch_log);
	ep.corrupt_epoch = c->replay_corrupt_epoch;
	ep.on = true;
	env_set_hooks(&record_hooks);
	pr("epochs: %u units each, counter %s\n", ep.e,
	   vcpu_counter_name(vcpu_counter_kind(v)));
	pr("epochs: margin %lu units; single-step: %s (%s)\n",
	   (unsigned long)ep.margin, vcpu_step_name(vcpu_step_kind(v)),
	   ep.step_found);
	if (c->replaycheck)
		epoch_replaycheck(c->replaycheck);
	return 0;
}
