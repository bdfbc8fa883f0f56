/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tiny TAP helpers for the unit tests: one "ok N - desc" line per check. */
#ifndef XP_TAP_H
#define XP_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3))) static int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

static int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#define FIXTURES (getenv("XP_FIXTURES") ? getenv("XP_FIXTURES") : "tests/fixtures")

#endif
