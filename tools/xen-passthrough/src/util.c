// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "util.h"

void xp_err(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void xp_note(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": note: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void oom(void)
{
	xp_err("out of memory");
	exit(XP_EXIT_FAIL);
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		oom();
	p = realloc(p, n && size ? n * size : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		oom();
	return p;
}

void strlcpy0(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (!size)
		return;
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

#define ESC_BUFS 8
#define ESC_SIZE 1024

const char *esc(const char *str)
{
	static char bufs[ESC_BUFS][ESC_SIZE];
	static unsigned int next;
	const unsigned char *s = (const unsigned char *)(str ? str : "(null)");
	char *out = bufs[next++ % ESC_BUFS];
	size_t o = 0;

	while (*s && o + 8 < ESC_SIZE) {
		size_t n = utf8_len(s);

		if (*s == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
			s++;
		} else if (*s < 0x20 || *s == 0x7f || !n ||
			   /* C1 controls, U+0080..U+009F, e.g. the 8-bit CSI */
			   (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)) {
			o += (size_t)snprintf(out + o, ESC_SIZE - o, "\\x%02x", *s++);
		} else {
			memcpy(out + o, s, n);
			o += n;
			s += n;
		}
	}
	if (*s)
		memcpy(out + o, "...", 4);
	else
		out[o] = '\0';
	return out;
}

void bdf_fmt(const struct bdf *b, char *buf, size_t size)
{
	snprintf(buf, size, "%04x:%02x:%02x.%x", b->dom & 0xffff, b->bus & 0xff,
		 b->dev & 0x1f, b->fn & 7);
}

bool bdf_eq(const struct bdf *a, const struct bdf *b)
{
	return a->dom == b->dom && a->bus == b->bus && a->dev == b->dev &&
	       a->fn == b->fn;
}

int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool hex_field(const char *s, size_t n, unsigned int *out)
{
	unsigned int v = 0;

	for (size_t i = 0; i < n; i++) {
		int h = hex_digit(s[i]);

		if (h < 0)
			return false;
		v = v * 16 + (unsigned int)h;
	}
	*out = v;
	return true;
}

bool bdf_parse_full(const char *s, size_t n, struct bdf *out)
{
	struct bdf b;

	if (n != 12 || s[4] != ':' || s[7] != ':' || s[10] != '.')
		return false;
	if (!hex_field(s, 4, &b.dom) || !hex_field(s + 5, 2, &b.bus) ||
	    !hex_field(s + 8, 2, &b.dev) || s[11] < '0' || s[11] > '7')
		return false;
	b.fn = (unsigned int)(s[11] - '0');
	if (b.dev > 0x1f)
		return false;
	*out = b;
	return true;
}

int lock_dir_wait(const char *dir, char *err, size_t errsize)
{
	bool said = false;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errsize, "cannot open %s to lock it: %s", esc(dir), strerror(errno));
		return -1;
	}
	for (int tries = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; tries++) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			snprintf(err, errsize, "cannot lock %s: %s", esc(dir), strerror(errno));
			close(fd);
			return -1;
		}
		if (tries == LOCK_WAIT * 10) {
			snprintf(err, errsize, "another xen-passthrough has held the lock on %s "
				 "for %d s; nothing was changed", esc(dir), LOCK_WAIT);
			close(fd);
			return -1;
		}
		if (!said)
			xp_note("waiting for another xen-passthrough that holds the lock on %s",
				esc(dir));
		said = true;
		usleep(100 * 1000);
	}
	return fd;
}

size_t acpi_table_length(const uint8_t *tbl, size_t len, size_t hdr, char *why, size_t whysize)
{
	size_t tlen = (size_t)tbl[4] | (size_t)tbl[5] << 8 | (size_t)tbl[6] << 16 |
		      (size_t)tbl[7] << 24;

	if (tlen < hdr || tlen > len) {
		snprintf(why, whysize, "its header gives a length of %zu bytes, the file has %zu",
			 tlen, len);
		return 0;
	}
	return tlen;
}
