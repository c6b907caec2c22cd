/* A tiny unit test framework for host tests, header only.
 *
 * A test binary lists its cases with TCASE(x), for a function test_x, and
 * calls RUN_CASES() from main(). Each case runs in a forked child, so that
 * a crash or a sanitizer report fails that case alone and the others still
 * run. Output contract
 * (counted by tests/run): one line per case,
 *	PASS unit/<binary>/<case>
 *	FAIL unit/<binary>/<case>: <reason>
 * and a non-zero exit status if any case failed. With arguments, only the
 * cases named run.
 *
 * CHECK* record a failure and let the case go on (the first failure is the
 * reason printed, with a count of the others); REQUIRE returns from the
 * case, for when going on would crash.
 */
#ifndef TESTS_UNIT_CHECK_H
#define TESTS_UNIT_CHECK_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct tcase {
	const char *name;
	void (*fn)(void);
};

#define TCASE(name)	{ #name, test_##name }

static char check_reason[1024];
static unsigned check_failures;

static void check_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void check_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (check_failures++)
		return;
	n = snprintf(check_reason, sizeof(check_reason), "%s:%d: ", file, line);
	va_start(ap, fmt);
	vsnprintf(check_reason + n, sizeof(check_reason) - (size_t)n, fmt, ap);
	va_end(ap);
}

/* A string as a C literal, so that a reason stays on one line. */
static const char *check_quote(char *buf, size_t size, const char *s)
{
	size_t n = 0;

	if (!s)
		return "NULL";
	buf[n++] = '"';
	for (; *s && n + 6 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			n += (size_t)snprintf(buf + n, size - n, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			n += (size_t)snprintf(buf + n, size - n, "\\x%02x", c);
		else
			buf[n++] = (char)c;
	}
	if (*s)
		n += (size_t)snprintf(buf + n, size - n, "...");
	snprintf(buf + n, size - n, "\"");
	return buf;
}

#define CHECK(cond)							\
	do {								\
		if (!(cond))						\
			check_fail(__FILE__, __LINE__, "CHECK(%s)", #cond); \
	} while (0)

#define REQUIRE(cond)							\
	do {								\
		if (!(cond)) {						\
			check_fail(__FILE__, __LINE__, "REQUIRE(%s)", #cond); \
			return;						\
		}							\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		unsigned long long a_ = (unsigned long long)(a);	\
		unsigned long long b_ = (unsigned long long)(b);	\
		if (a_ != b_)						\
			check_fail(__FILE__, __LINE__,			\
				   "CHECK_EQ(%s, %s): %lld (0x%llx) != %lld (0x%llx)", \
				   #a, #b, (long long)a_, a_, (long long)b_, b_); \
	} while (0)

#define CHECK_STR(a, b)							\
	do {								\
		const char *a_ = (a), *b_ = (b);			\
		char qa_[300], qb_[300];				\
		if (!a_ || !b_ || strcmp(a_, b_))			\
			check_fail(__FILE__, __LINE__,			\
				   "CHECK_STR(%s, %s): got %s, expected %s", \
				   #a, #b, check_quote(qa_, sizeof(qa_), a_), \
				   check_quote(qb_, sizeof(qb_), b_));	\
	} while (0)

/* The case, in the child: it reports through a pipe and its exit status
 * (0 passed, 3 failed), and the parent prints, so that a leak found by
 * LeakSanitizer at exit still turns the case into one FAIL line. */
static void check_child(const struct tcase *c, int fd)
{
	char msg[sizeof(check_reason) + 32] = "";

	check_failures = 0;
	c->fn();
	if (check_failures > 1)
		snprintf(msg, sizeof(msg), "%s (and %u more)", check_reason,
			 check_failures - 1);
	else if (check_failures)
		snprintf(msg, sizeof(msg), "%s", check_reason);
	if (write(fd, msg, strlen(msg)) < 0)
		perror("write");
	close(fd);
	exit(check_failures ? 3 : 0);
}

static int check_one(const char *bin, const struct tcase *c)
{
	char msg[sizeof(check_reason) + 32];
	size_t len = 0;
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if (pipe(fds) || (pid = fork()) < 0) {
		printf("FAIL unit/%s/%s: cannot fork: %s\n", bin, c->name,
		       strerror(errno));
		return 1;
	}
	if (!pid) {
		close(fds[0]);
		check_child(c, fds[1]);
	}
	close(fds[1]);
	while (len < sizeof(msg) - 1 &&
	       (n = read(fds[0], msg + len, sizeof(msg) - 1 - len)) > 0)
		len += (size_t)n;
	msg[len] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("PASS unit/%s/%s\n", bin, c->name);
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
		printf("FAIL unit/%s/%s: %s\n", bin, c->name, msg);
	else if (WIFSIGNALED(status))
		printf("FAIL unit/%s/%s: crashed (signal %d)%s%s\n", bin,
		       c->name, WTERMSIG(status), len ? "; " : "", msg);
	else
		printf("FAIL unit/%s/%s: died (exit status %d, sanitizer report on stderr?)%s%s\n",
		       bin, c->name, WEXITSTATUS(status), len ? "; " : "", msg);
	return 1;
}

static bool check_selected(const struct tcase *c, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], c->name))
			return true;
	return false;
}

static int run_cases(const char *bin, const struct tcase *cases, size_t n,
		     int argc, char **argv)
{
	int failed = 0;

	for (size_t i = 0; i < n; i++)
		if (check_selected(&cases[i], argc, argv))
			failed |= check_one(bin, &cases[i]);
	fflush(stdout);
	return failed;
}

#define RUN_CASES(bin, cases, argc, argv)				\
	run_cases(bin, cases, sizeof(cases) / sizeof((cases)[0]), argc, argv)

#endif
