// SPDX-License-Identifier: GPL-2.0-or-later
/* The strict lspci -xxxx parser, and agreement with libpci's dump reader. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices.h"
#include "dumpfile.h"
#include "sysfs.h"
#include "tap.h"

static const char hdr64[] =
	"00: 86 80 d3 10 06 04 10 00 00 00 00 02 00 00 00 00\n"
	"10: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
	"20: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
	"30: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n";

static int parse(const char *text, struct dump *d, char *err)
{
	return dump_parse(text, strlen(text), d, err, 128);
}

static void expect_bad(const char *text, const char *why, const char *desc)
{
	char err[128] = "";
	struct dump d;
	int r = parse(text, &d, err);

	ok(r < 0 && strstr(err, why), "rejects %s (%s)", desc, err);
}

static char *cat(const char *a, const char *b)
{
	char *s = malloc(strlen(a) + strlen(b) + 1);

	strcpy(s, a);
	strcat(s, b);
	return s;
}

/* Our parse and libpci's reading of the same file must agree byte for byte. */
static void agree(const char *file)
{
	struct options o = { .proc_root = "/nonexistent", .no_names = true, .dump = file };
	struct devset ds = { 0 };
	struct dump d;
	char err[128];
	size_t len, same = 0;
	char *text = rslurp(".", &len, "%s", file);

	if (!ok(text && dump_parse(text, len, &d, err, sizeof(err)) == 0, "%s parses", file))
		return;
	if (ok(devset_load(&o, &ds) == 0 && ds.n == d.n, "libpci reads %s too", file)) {
		for (size_t i = 0; i < d.n; i++) {
			int k = devset_find(&ds, &d.devs[i].bdf);
			size_t n = d.devs[i].len >= CFG_SIZE ? CFG_SIZE : d.devs[i].len >= 256 ? 256 : 64;

			if (k >= 0 && !memcmp(ds.d[k].cfg, d.devs[i].cfg, n) && ds.d[k].caps.cfg_len == n)
				same++;
		}
		ok(same == d.n, "%s: libpci and our parser agree on all %zu devices", file, d.n);
	}
	devset_free(&ds);
	dump_free(&d);
	free(text);
}

int main(void)
{
	char err[128], path[512];
	struct dump d;
	char *t, *u;

	t = cat("0000:02:00.0 Ethernet controller: Intel\n", hdr64);
	ok(parse(t, &d, err) == 0 && d.n == 1 && d.devs[0].len == 64 &&
	   d.devs[0].cfg[0] == 0x86 && d.devs[0].cfg[2] == 0xd3 && d.devs[0].bdf.bus == 2,
	   "parses one device with a domain");
	dump_free(&d);
	u = cat(t, "\n00:1f.6 x\r\n00: 86 80 bc 15\r\n30: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 \r\n");
	ok(parse(u, &d, err) == 0 && d.n == 2 && d.devs[1].bdf.fn == 6 && d.devs[1].cfg[0x10] == 0xff,
	   "CRLF, short domain-less header, trailing space; gaps read as ff");
	dump_free(&d);
	free(u);
	u = cat("# comment line\n", t);
	ok(parse(u, &d, err) == 0 && d.n == 1, "comment lines are skipped");
	dump_free(&d);
	free(u);
	expect_bad("", "no devices", "an empty file");
	expect_bad("00:00.0 x\n00: 86 80", "no newline", "an unterminated last line");
	expect_bad("00: 86 80\n", "not a device header", "data before a header");
	u = cat(t, "40: 8g\n");
	expect_bad(u, "malformed", "a non-hex byte");
	free(u);
	u = cat(t, "40: 86  80\n");
	expect_bad(u, "malformed", "a double space");
	free(u);
	u = cat(t, "ff8: 00 00 00 00 00 00 00 00 00\n");
	expect_bad(u, "malformed", "bytes past 4096");
	free(u);
	u = cat(t, "\n0000:02:00.0 again\n");
	expect_bad(u, "duplicate", "a duplicate device");
	free(u);
	expect_bad("00:00.0 x\n00: 86 80 00 00\n", "fewer than 64", "a device with 4 bytes");
	expect_bad("00:20.0 x\n", "not a device header", "device number 0x20");
	expect_bad("00:00.8 x\n", "not a device header", "function 8");
	u = calloc(1, 400);
	memcpy(u, "00:00.0 ", 8);
	memset(u + 8, 'a', 300);
	u[308] = '\n';
	expect_bad(u, "too long", "a 300-character line");
	free(u);
	{
		char nul[] = "00:00.0 x\n00: 00\0 00\n";

		ok(dump_parse(nul, sizeof(nul) - 1, &d, err, sizeof(err)) < 0 && strstr(err, "NUL"),
		   "rejects a NUL byte");
	}
	free(t);
	snprintf(path, sizeof(path), "%s/machine-a.dump", FIXTURES);
	agree(path);
	snprintf(path, sizeof(path), "%s/vm-virtio.dump", FIXTURES);
	agree(path);
	return tap_done();
}
