// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "topology.h"

/* Parent BDF from "/devices/pci0000:00/0000:00:1c.0/0000:02:00.0". */
static int parent_from_syspath(const struct devset *ds, const struct pdev *p)
{
	const char *s = p->syspath, *prev = NULL, *last = NULL;

	while (s && *s) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		struct bdf b;

		if (bdf_parse_full(s, n, &b)) {
			prev = last;
			last = s;
		}
		s = e ? e + 1 : NULL;
	}
	if (!last) /* no PCI component at all: unusable */
		return -2;
	{
		struct bdf self;

		if (!bdf_parse_full(last, 12, &self) || !bdf_eq(&self, &p->bdf))
			return -2;
	}
	if (!prev)
		return -1;
	{
		struct bdf b;

		bdf_parse_full(prev, 12, &b);
		return devset_find(ds, &b);
	}
}

static int parent_from_buses(const struct devset *ds, size_t i)
{
	const struct pdev *p = &ds->d[i];

	for (size_t j = 0; j < ds->n; j++) {
		const struct pdev *b = &ds->d[j];

		if (j == i || b->bdf.dom != p->bdf.dom || b->caps.hdr_type != 1)
			continue;
		if (b->caps.sec_bus <= b->bdf.bus ||
		    b->caps.sub_bus < b->caps.sec_bus)
			continue;
		if (b->caps.sec_bus == p->bdf.bus)
			return (int)j;
	}
	return -1;
}

void topo_build(struct devset *ds)
{
	for (size_t i = 0; i < ds->n; i++) {
		int par = ds->d[i].syspath ? parent_from_syspath(ds, &ds->d[i]) : -2;

		if (par == -2)
			par = parent_from_buses(ds, i);
		ds->d[i].parent = par;
	}
	/* Break cycles that inconsistent input could create. */
	for (size_t i = 0; i < ds->n; i++) {
		int k = ds->d[i].parent;
		size_t steps = 0;

		while (k >= 0 && steps <= ds->n) {
			k = ds->d[k].parent;
			steps++;
		}
		if (k >= 0)
			ds->d[i].parent = -1;
	}
}

bool topo_is_below(const struct devset *ds, size_t i, size_t anc)
{
	int k = ds->d[i].parent;
	size_t steps = 0;

	while (k >= 0 && steps++ <= ds->n) {
		if ((size_t)k == anc)
			return true;
		k = ds->d[k].parent;
	}
	return false;
}

void topo_path(const struct devset *ds, size_t i, char *buf, size_t size)
{
	size_t chain[64], n = 0, len;
	int k = (int)i;

	while (k >= 0 && n < ARRAY_SIZE(chain)) {
		chain[n++] = (size_t)k;
		k = ds->d[k].parent;
	}
	if (!size)
		return;
	strlcpy0(buf, ds->d[chain[n - 1]].name, size);
	for (size_t j = n - 1; j-- > 0;) {
		const struct bdf *b = &ds->d[chain[j]].bdf;

		len = strlen(buf);
		snprintf(buf + len, size - len, "/%02x.%x", b->dev, b->fn);
	}
}

int topo_child(const struct devset *ds, size_t parent, unsigned int dev,
	       unsigned int fn)
{
	for (size_t j = 0; j < ds->n; j++)
		if (ds->d[j].parent == (int)parent && ds->d[j].bdf.dev == dev &&
		    ds->d[j].bdf.fn == fn)
			return (int)j;
	return -1;
}
