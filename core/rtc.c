/* MC146818 CMOS real-time clock at 0x70/0x71: the time, derived from the
 * wall clock at boot plus virtual time; status registers A-D; no
 * interrupts (periodic, alarm and update-ended interrupts are never
 * raised, and register C reads 0). */
#include "core/vdev.h"
#include "core/rtc.h"
#include "core/env.h"
#include "lib/string.h"
#include "lib/time.h"

#define REG_A		0x0a
#define REG_B		0x0b
#define REG_C		0x0c
#define REG_D		0x0d
#define B_BINARY	0x04
#define B_24H		0x02

static struct {
	uint8_t index;
	uint8_t ram[128];
} rtc;

void rtc_reset(void)
{
	memset(&rtc, 0, sizeof(rtc));
	rtc.ram[REG_A] = 0x26;		/* 32.768 kHz base, 1024 Hz rate */
	rtc.ram[REG_B] = B_24H;
	rtc.ram[REG_D] = 0x80;		/* valid RAM and time */
}

static uint8_t encode(uint8_t v)
{
	return (rtc.ram[REG_B] & B_BINARY) ? v : (uint8_t)((v / 10) << 4 |
							    v % 10);
}

static uint8_t hour(uint8_t h)
{
	uint8_t pm;

	if (rtc.ram[REG_B] & B_24H)
		return encode(h);
	pm = h >= 12 ? 0x80 : 0;
	h %= 12;
	return encode(h ? h : 12) | pm;
}

static uint8_t time_reg(uint8_t reg)
{
	struct date_time d;

	date_from_unix(env_unix_time(env_now()), &d);
	switch (reg) {
	case 0: return encode(d.sec);
	case 2: return encode(d.min);
	case 4: return hour(d.hour);
	case 6: return encode(d.wday + 1);
	case 7: return encode(d.day);
	case 8: return encode(d.month);
	case 9: return encode(d.year % 100);
	case 0x32: return encode(d.year / 100);	/* century */
	}
	return rtc.ram[reg];
}

static uint32_t rtc_read(uint16_t off, uint8_t size)
{
	uint8_t reg = rtc.index & 0x7f;

	(void)size;
	if (off == 0)
		return 0xff;
	if (reg <= 9 || reg == 0x32)
		return time_reg(reg);
	if (reg == REG_A)	/* never inside an update: UIP stays 0 */
		return rtc.ram[REG_A] & 0x7f;
	if (reg == REG_C)
		return 0;
	return rtc.ram[reg];
}

static void rtc_write(uint16_t off, uint8_t size, uint32_t val)
{
	uint8_t reg = rtc.index & 0x7f;

	(void)size;
	if (off == 0) {
		rtc.index = (uint8_t)val;	/* bit 7: NMI mask, ignored */
		return;
	}
	/* setting the clock is accepted and forgotten: the guest's time is
	 * the host's, so both twins agree */
	if (reg <= 9 || reg == 0x32 || reg == REG_C || reg == REG_D)
		return;
	rtc.ram[reg] = (uint8_t)val;
}

const struct vdev rtc_dev = {
	.name = "rtc", .base = 0x70, .len = 2,
	.read = rtc_read, .write = rtc_write,
};

const struct vdev_state rtc_state = { &rtc, sizeof(rtc) };
