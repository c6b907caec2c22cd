/* Port I/O through tandem: the UART scratch register keeps what is
 * written, unassigned ports read as all ones in every width and ignore
 * writes, and string I/O (rep insb/outsb) moves the bytes and updates
 * ESI/EDI/ECX. Both the immediate-port and DX-port forms are used. */
#include "guest.h"

const char guest_name[] = "portio";

#define PORT_POST	0x80	/* below 256: the immediate form */
#define PORT_COM2	0x2F8	/* no device there under tandem */

static void check_scratch(void)
{
	static const uint8_t vals[] = { 0x5A, 0xA5, 0x00, 0xFF };
	uint8_t got;
	size_t i;

	for (i = 0; i < sizeof(vals); i++) {
		outb(UART_SCR, vals[i]);
		got = inb(UART_SCR);
		if (got != vals[i])
			fail(1, "scratch wrote 0x%02x read 0x%02x", vals[i],
			     got);
	}
	printf("portio: scratch 0x3ff read back ok\n");
}

static void check_unassigned(void)
{
	uint32_t v;

	v = inb(PORT_POST);
	printf("portio: inb 0x80 = 0x%02x\n", v);
	if (v != 0xFF)
		fail(2, "inb 0x80 = 0x%x", v);
	v = inb(PORT_COM2);
	printf("portio: inb 0x2f8 = 0x%02x\n", v);
	if (v != 0xFF)
		fail(3, "inb 0x2f8 = 0x%x", v);
	v = inw(PORT_COM2);
	printf("portio: inw 0x2f8 = 0x%04x\n", v);
	if (v != 0xFFFF)
		fail(4, "inw 0x2f8 = 0x%x", v);
	v = inl(PORT_COM2);
	printf("portio: inl 0x2f8 = 0x%08x\n", v);
	if (v != 0xFFFFFFFF)
		fail(5, "inl 0x2f8 = 0x%x", v);

	/* A write there must not stick. */
	outb(PORT_COM2 + 7, 0x12);
	v = inb(PORT_COM2 + 7);
	printf("portio: outb/inb 0x2ff = 0x%02x\n", v);
	if (v != 0xFF)
		fail(6, "0x2ff kept a write: 0x%x", v);
}

static void check_insb(void)
{
	uint8_t buf[8] = { 0 };
	void *dst = buf;
	uint32_t n = sizeof(buf);
	size_t i;

	asm volatile("rep insb"
		     : "+D"(dst), "+c"(n) : "d"(PORT_COM2) : "memory");
	for (i = 0; i < sizeof(buf); i++)
		if (buf[i] != 0xFF)
			fail(7, "rep insb byte %u = 0x%x", (unsigned)i, buf[i]);
	if (n || dst != buf + sizeof(buf))
		fail(8, "rep insb left ecx %u edi %p (buf %p)", n, dst,
		     (void *)buf);
	printf("portio: rep insb 0x2f8 ok\n");
}

static void check_outsb(void)
{
	static const char msg[] = "portio: rep outsb to the UART\r\n";
	const void *src = msg;
	uint32_t n = sizeof(msg) - 1;

	asm volatile("rep outsb"
		     : "+S"(src), "+c"(n) : "d"(UART_THR) : "memory");
	if (n || src != msg + sizeof(msg) - 1)
		fail(9, "rep outsb left ecx %u esi %p (msg %p)", n, src,
		     (const void *)msg);
	printf("portio: rep outsb ok\n");
}

void guest_main(const struct mb_info *mbi)
{
	(void)mbi;
	check_scratch();
	check_unassigned();
	check_insb();
	check_outsb();
}
