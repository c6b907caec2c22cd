/* linkperf - the Linux side of tools/bench-link: what linktest measures
 * on tandem, measured between two Linux guests over the same emulated
 * wire with Linux's own e1000 driver.
 *
 *   linkperf server PORT                TCP sink + UDP echo, forever
 *   linkperf client ADDR PORT MIB PINGS
 *
 * The client first sends PINGS UDP round trips of 9 bytes, one at a time
 * (as linktest's pings: user space to user space), then MIB MiB over one
 * TCP connection and waits until the server confirms the byte count (as
 * linktest waits for the peer's digest), and prints
 *   linkperf: rtt min A us, avg B us, max C us (N pings)
 *   linkperf: sent S bytes in T ms: R KiB/s
 * A static host program built by tools/bench-link, never by make. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK	(64 * 1024)

static uint64_t now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int bound(int type, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	int s = socket(AF_INET, type, 0), one = 1;

	if (s < 0)
		die("socket");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)))
		die("bind");
	return s;
}

static void udp_echo(int port)
{
	int s = bound(SOCK_DGRAM, port);
	char buf[2048];

	for (;;) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(s, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &fl);

		if (n > 0)
			sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from,
			       fl);
	}
}

static void tcp_sink(int port)
{
	int s = bound(SOCK_STREAM, port);
	static char buf[CHUNK];

	if (listen(s, 4))
		die("listen");
	for (;;) {
		int c = accept(s, NULL, NULL);
		uint64_t total = 0;
		ssize_t n;

		if (c < 0)
			continue;
		while ((n = read(c, buf, sizeof(buf))) > 0)
			total += (uint64_t)n;
		if (write(c, &total, sizeof(total)) != sizeof(total))
			perror("write");
		close(c);
	}
}

static void pings(const struct sockaddr_in *to, int n)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	uint64_t min = ~0ull, max = 0, sum = 0;
	struct timeval tv = { .tv_sec = 1 };
	char m[9], r[64];

	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (int i = 0; i < n; i++) {
		uint64_t t0 = now_us(), rtt;

		memcpy(m, &t0, 8);
		m[8] = (char)i;
		sendto(s, m, sizeof(m), 0, (const struct sockaddr *)to,
		       sizeof(*to));
		if (recv(s, r, sizeof(r), 0) != sizeof(m) || memcmp(r, m, 9)) {
			i--;	/* lost: one second, then again */
			continue;
		}
		rtt = now_us() - t0;
		sum += rtt;
		min = rtt < min ? rtt : min;
		max = rtt > max ? rtt : max;
	}
	printf("linkperf: rtt min %llu us, avg %llu us, max %llu us (%d pings)\n",
	       (unsigned long long)min, (unsigned long long)(sum / (uint64_t)n),
	       (unsigned long long)max, n);
	close(s);
}

static void stream(const struct sockaddr_in *to, uint64_t total)
{
	static char buf[CHUNK];
	uint64_t sent = 0, got = 0, t0, t;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	memset(buf, 0x5a, sizeof(buf));
	t0 = now_us();
	if (connect(s, (const struct sockaddr *)to, sizeof(*to)))
		die("connect");
	while (sent < total) {
		size_t n = total - sent < CHUNK ? (size_t)(total - sent)
						: CHUNK;
		ssize_t w = write(s, buf, n);

		if (w <= 0)
			die("write");
		sent += (uint64_t)w;
	}
	shutdown(s, SHUT_WR);
	if (read(s, &got, sizeof(got)) != sizeof(got) || got != total) {
		fprintf(stderr, "linkperf: server confirmed %llu of %llu bytes\n",
			(unsigned long long)got, (unsigned long long)total);
		exit(1);
	}
	t = now_us() - t0;
	printf("linkperf: sent %llu bytes in %llu ms: %llu KiB/s\n",
	       (unsigned long long)total, (unsigned long long)(t / 1000),
	       (unsigned long long)(total * 1000000 / (t ? t : 1) / 1024));
	close(s);
}

int main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET };

	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc == 3 && !strcmp(argv[1], "server")) {
		if (!fork())
			udp_echo(atoi(argv[2]));
		tcp_sink(atoi(argv[2]));
	}
	if (argc == 6 && !strcmp(argv[1], "client")) {
		if (inet_pton(AF_INET, argv[2], &to.sin_addr) != 1)
			die("address");
		to.sin_port = htons((uint16_t)atoi(argv[3]));
		pings(&to, atoi(argv[5]));
		stream(&to, (uint64_t)atoll(argv[4]) << 20);
		return 0;
	}
	fprintf(stderr, "usage: linkperf server PORT | client ADDR PORT MIB "
		"PINGS\n");
	return 2;
}
