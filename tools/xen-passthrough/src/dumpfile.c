// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpfile.h"

/* fgets() in libpci uses a 256-byte buffer; stay well inside it. */
#define MAX_LINE 250

static size_t hexrun(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && hex_digit(s[i]) >= 0)
		i++;
	return i;
}

static unsigned int hexnum(const char *s, size_t n)
{
	unsigned int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 16 + (unsigned int)hex_digit(s[i]);
	return v;
}

/* "[dddd:]bb:dd.f " at the start of a device header line. */
static int parse_header(const char *s, size_t n, struct bdf *b)
{
	size_t h = hexrun(s, n);
	unsigned int dom = 0;

	if (h == 4 && n > 5 && s[4] == ':') {
		dom = hexnum(s, 4);
		s += 5;
		n -= 5;
		h = hexrun(s, n);
	}
	if (h != 2 || n < 8 || s[2] != ':' || hexrun(s + 3, 2) != 2 ||
	    s[5] != '.' || s[6] < '0' || s[6] > '7' || s[7] != ' ')
		return -1;
	b->dom = dom;
	b->bus = hexnum(s, 2);
	b->dev = hexnum(s + 3, 2);
	b->fn = (unsigned int)(s[6] - '0');
	return b->dev <= 0x1f ? 0 : -1;
}

/* "off: hh hh ..." ; returns 0 and stores bytes, or -1. */
static int parse_data(const char *s, size_t n, struct dump_dev *d)
{
	size_t h = hexrun(s, n), i;
	unsigned int off;

	if (h < 2 || h > 8 || n < h + 2 || s[h] != ':' || s[h + 1] != ' ')
		return -1;
	off = hexnum(s, h);
	for (i = h + 2; i < n;) {
		if (n - i < 2 || hexrun(s + i, 2) != 2)
			return -1;
		if (i + 2 < n && s[i + 2] != ' ')
			return -1;
		if (off >= CFG_SIZE)
			return -1;
		d->cfg[off++] = (uint8_t)hexnum(s + i, 2);
		if (off > d->len)
			d->len = off;
		i += 3;
	}
	return 0;
}

static int fail(char *err, size_t errsize, size_t lineno, const char *what)
{
	snprintf(err, errsize, "line %zu: %s", lineno, what);
	return -1;
}

static int add_dev(struct dump *out, const struct bdf *b, size_t *cap)
{
	for (size_t i = 0; i < out->n; i++)
		if (bdf_eq(&out->devs[i].bdf, b))
			return -1;
	if (out->n == DUMP_MAX_DEVICES)
		return -1;
	if (out->n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		out->devs = xrealloc(out->devs, *cap, sizeof(*out->devs));
	}
	memset(&out->devs[out->n], 0xff, sizeof(out->devs[0]));
	out->devs[out->n].bdf = *b;
	out->devs[out->n].len = 0;
	out->n++;
	return 0;
}

int dump_parse(const char *text, size_t len, struct dump *out, char *err,
	       size_t errsize)
{
	struct dump_dev *cur = NULL;
	size_t pos = 0, lineno = 0, cap = 0;

	memset(out, 0, sizeof(*out));
	if (len > DUMP_MAX_BYTES)
		return fail(err, errsize, 0, "file too large");
	if (memchr(text, '\0', len))
		return fail(err, errsize, 0, "NUL byte in dump");
	while (pos < len) {
		const char *line = text + pos, *nl;
		size_t n;
		struct bdf b;

		lineno++;
		nl = memchr(line, '\n', len - pos);
		if (!nl)
			goto bad_unterminated;
		n = (size_t)(nl - line);
		pos += n + 1;
		if (n > MAX_LINE)
			goto bad_long;
		if (n && line[n - 1] == '\r')
			n--;
		if (!n) {
			cur = NULL;
			continue;
		}
		if (line[0] == '#')
			continue;
		if (parse_header(line, n, &b) == 0) {
			if (add_dev(out, &b, &cap) < 0)
				goto bad_dup;
			cur = &out->devs[out->n - 1];
			continue;
		}
		if (!cur) {
			fail(err, errsize, lineno, "not a device header line");
			goto out_free;
		}
		if (parse_data(line, n, cur) < 0) {
			fail(err, errsize, lineno, "malformed config-space line");
			goto out_free;
		}
	}
	if (!out->n) {
		fail(err, errsize, lineno, "no devices in dump");
		goto out_free;
	}
	for (size_t i = 0; i < out->n; i++) {
		if (out->devs[i].len < 64) {
			char s[BDF_STRLEN];

			bdf_fmt(&out->devs[i].bdf, s, sizeof(s));
			snprintf(err, errsize,
				 "device %s: fewer than 64 bytes of config space", s);
			goto out_free;
		}
	}
	return 0;

bad_unterminated:
	fail(err, errsize, lineno, "last line has no newline");
	goto out_free;
bad_long:
	fail(err, errsize, lineno, "line too long");
	goto out_free;
bad_dup:
	fail(err, errsize, lineno, "duplicate device or too many devices");
out_free:
	dump_free(out);
	return -1;
}

void dump_free(struct dump *d)
{
	free(d->devs);
	d->devs = NULL;
	d->n = 0;
}
