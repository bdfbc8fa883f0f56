// SPDX-License-Identifier: GPL-2.0-or-later
/* Device specifiers: parsing and resolution against machine-a. */
#include <string.h>

#include "devices.h"
#include "spec.h"
#include "tap.h"
#include "topology.h"

static int parse(const char *s, struct spec *sp)
{
	char err[160];

	return spec_parse(s, strlen(s), sp, err, sizeof(err));
}

static const char *resolve1(const struct devset *ds, const char *s)
{
	size_t idx[4];
	struct spec sp;

	if (parse(s, &sp) < 0 || spec_resolve(ds, &sp, idx, 4) != 1)
		return "";
	return ds->d[idx[0]].name;
}

int main(void)
{
	static const char *const bad[] = {
		"", "0000:01:00", "01:00.8", "01:20.0", "0000:01:00.0x", "8086:10d", "8086:10d3x",
		"g000:01:00.0", "0000:00:1c.4/", "0000:00:1c.4//00.0", "/00.0", "0000:00:1c.4/0.0",
		"0000:00:1c.4/00.9", "00:1c.4/00.0/00.0/00.0/00.0/00.0/00.0/00.0/00.0/00.0/00.0/00.0/00.0/00.0/00.0/00.0/00.0/00.0",
		"01:00.0 ", " 01:00.0", "-1:00.0",
	};
	struct options o = { .proc_root = "/nonexistent", .no_names = true };
	struct devset ds = { 0 };
	char path[512];
	struct spec sp;
	size_t idx[4];
	int r;

	r = parse("0000:01:00.1", &sp);
	ok(r == 0 && sp.kind == SPEC_BDF && sp.bdf.bus == 1 && sp.bdf.fn == 1, "full BDF");
	r = parse("0A:1F.7", &sp);
	ok(r == 0 && sp.kind == SPEC_BDF && sp.bdf.dom == 0 && sp.bdf.bus == 0xa &&
	   sp.bdf.dev == 0x1f && sp.bdf.fn == 7, "short upper-case BDF");
	r = parse("8086:10d3", &sp);
	ok(r == 0 && sp.kind == SPEC_ID && sp.vendor == 0x8086 && sp.device == 0x10d3, "vendor:device");
	r = parse("0000:00:1c.4/00.0/01.0", &sp);
	ok(r == 0 && sp.kind == SPEC_PATH && sp.nhops == 2 && sp.hop_dev[1] == 1, "PCI path");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ok(parse(bad[i], &sp) < 0, "rejects '%s'", bad[i]);
	{
		char big[300];

		memset(big, '0', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		ok(parse(big, &sp) < 0, "rejects a 299-character specifier");
	}

	snprintf(path, sizeof(path), "%s/machine-a.dump", FIXTURES);
	o.dump = path;
	if (!ok(devset_load(&o, &ds) == 0, "load machine-a"))
		return tap_done();
	topo_build(&ds);
	ok(!strcmp(resolve1(&ds, "02:00.0"), "0000:02:00.0"), "BDF resolves");
	ok(!strcmp(resolve1(&ds, "8086:10d3"), "0000:02:00.0"), "unique vendor:device resolves");
	ok(!strcmp(resolve1(&ds, "0000:00:1c.4/00.0/01.0"), "0000:04:01.0"), "path through two bridges");
	ok(!strcmp(resolve1(&ds, "00:01.0/00.1"), "0000:01:00.1"), "path with short root BDF");
	r = parse("0000:00:1c.4/00.0/02.0", &sp);
	ok(r == 0 && spec_resolve(&ds, &sp, idx, 4) == 0, "path to a missing device: no match");
	r = parse("0000:00:1c.0/00.0/00.0", &sp);
	ok(r == 0 && spec_resolve(&ds, &sp, idx, 4) == 0, "path through an endpoint: no match");
	r = parse("0000:09:00.0", &sp);
	ok(r == 0 && spec_resolve(&ds, &sp, idx, 4) == 0, "unknown BDF: no match");
	r = parse("dead:beef", &sp);
	ok(r == 0 && spec_resolve(&ds, &sp, idx, 4) == 0, "unknown ID: no match");
	{	/* a second 82574L makes the ID ambiguous */
		struct bdf b = { 0, 7, 0, 0 };

		devset_add(&ds, &b, ds.d[devset_find(&ds, &(struct bdf){ 0, 2, 0, 0 })].cfg, 4096);
		r = parse("8086:10d3", &sp);
		ok(r == 0 && spec_resolve(&ds, &sp, idx, 4) == 2, "duplicate ID gives two candidates");
	}
	devset_free(&ds);
	return tap_done();
}
