/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers: error reporting, allocation, BDF text. */
#ifndef XP_UTIL_H
#define XP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PROG "xen-passthrough"
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit codes, documented in xen-passthrough.8. */
#define XP_EXIT_OK 0
#define XP_EXIT_FAIL 1
#define XP_EXIT_USAGE 2
/* boot-report: a device listed for seizing is not on pciback, or pciback
 * ignores an entry that lists devices. */
#define XP_EXIT_NOT_SEIZED 3

struct bdf {
	unsigned int dom, bus, dev, fn;
};

#define BDF_STRLEN 16 /* "dddd:bb:dd.f" + NUL, with room */

void xp_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xp_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
void strlcpy0(char *dst, const char *src, size_t size);
/* Length of one valid UTF-8 sequence at s, or 0. */
size_t utf8_len(const unsigned char *s);
/*
 * s made safe to print: control characters, backslashes and invalid
 * UTF-8 as \xHH escapes. Returns one of a few rotating static buffers,
 * so several calls can be the arguments of one printf.
 */
const char *esc(const char *s);

/*
 * Lock the directory dir exclusively (flock, so a crashed run leaves no
 * stale lock), waiting up to LOCK_WAIT seconds for another holder and
 * saying once that it waits. The fd to close to unlock, or -1 with err.
 */
#define LOCK_WAIT 60
int lock_dir_wait(const char *dir, char *err, size_t errsize);

/* Value of one hex digit, or -1. */
int hex_digit(char c);
/* Exactly n hex digits at s; true on success. */
bool hex_field(const char *s, size_t n, unsigned int *out);

void bdf_fmt(const struct bdf *b, char *buf, size_t size);
bool bdf_eq(const struct bdf *a, const struct bdf *b);
/* Parse exactly "dddd:bb:dd.f" (n == whole string); true on success. */
bool bdf_parse_full(const char *s, size_t n, struct bdf *out);

/* Little-endian fields of firmware tables (ACPI DMAR, IVRS). */
static inline unsigned int u16le(const uint8_t *p) { return (unsigned int)(p[0] | p[1] << 8); }

static inline unsigned long long u64le(const uint8_t *p)
{
	unsigned long long v = 0;

	for (int k = 7; k >= 0; k--)
		v = v << 8 | p[k];
	return v;
}

/*
 * The length an ACPI table's header gives, checked against the @len bytes
 * read and the table's own @hdr size; 0 with the reason in @why if wrong.
 */
size_t acpi_table_length(const uint8_t *tbl, size_t len, size_t hdr, char *why, size_t whysize);

#endif
