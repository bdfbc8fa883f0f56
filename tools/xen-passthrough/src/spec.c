// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>

#include "spec.h"
#include "topology.h"

/* "dd.f" */
static bool parse_devfn(const char *s, size_t n, unsigned int *dev, unsigned int *fn)
{
	if (n != 4 || s[2] != '.' || !hex_field(s, 2, dev) || *dev > 0x1f ||
	    s[3] < '0' || s[3] > '7')
		return false;
	*fn = (unsigned int)(s[3] - '0');
	return true;
}

/* "dddd:bb:dd.f" or "bb:dd.f" */
static bool parse_bdf(const char *s, size_t n, struct bdf *b)
{
	if (n == 12)
		return bdf_parse_full(s, n, b);
	if (n != 7 || s[2] != ':' || !hex_field(s, 2, &b->bus) ||
	    !parse_devfn(s + 3, 4, &b->dev, &b->fn))
		return false;
	b->dom = 0;
	return true;
}

static int bad(char *err, size_t errsize, const char *why)
{
	snprintf(err, errsize, "%s", why);
	return -1;
}

int spec_parse(const char *s, size_t len, struct spec *sp, char *err, size_t errsize)
{
	const char *slash;
	unsigned int v, d;

	memset(sp, 0, sizeof(*sp));
	if (!len)
		return bad(err, errsize, "empty device specifier");
	if (len > SPEC_MAX_LEN || memchr(s, '\0', len))
		return bad(err, errsize, "device specifier too long or not text");
	slash = memchr(s, '/', len);
	if (slash) {
		const char *p = slash + 1, *end = s + len;

		sp->kind = SPEC_PATH;
		if (!parse_bdf(s, (size_t)(slash - s), &sp->bdf))
			return bad(err, errsize, "a PCI path starts with a BDF like 0000:00:1c.0");
		while (p <= end) {
			const char *e = memchr(p, '/', (size_t)(end - p));
			size_t n = e ? (size_t)(e - p) : (size_t)(end - p);
			unsigned int dev, fn;

			if (sp->nhops == SPEC_MAX_HOPS)
				return bad(err, errsize, "PCI path too deep");
			if (!parse_devfn(p, n, &dev, &fn))
				return bad(err, errsize, "PCI path elements after the first are dd.f");
			sp->hop_dev[sp->nhops] = (uint8_t)dev;
			sp->hop_fn[sp->nhops++] = (uint8_t)fn;
			if (!e)
				break;
			p = e + 1;
		}
		return 0;
	}
	if (len == 9 && s[4] == ':' && hex_field(s, 4, &v) && hex_field(s + 5, 4, &d)) {
		sp->kind = SPEC_ID;
		sp->vendor = (uint16_t)v;
		sp->device = (uint16_t)d;
		return 0;
	}
	if (parse_bdf(s, len, &sp->bdf)) {
		sp->kind = SPEC_BDF;
		return 0;
	}
	return bad(err, errsize,
		   "expected a BDF (0000:01:00.0), vendor:device (8086:10d3) or a PCI path (0000:00:1c.0/00.0)");
}

size_t spec_resolve(const struct devset *ds, const struct spec *sp, size_t *idx,
		    size_t max)
{
	size_t n = 0;
	int k;

	switch (sp->kind) {
	case SPEC_ID:
		for (size_t i = 0; i < ds->n; i++) {
			if (ds->d[i].caps.vendor != sp->vendor ||
			    ds->d[i].caps.device != sp->device)
				continue;
			if (n < max)
				idx[n] = i;
			n++;
		}
		return n;
	case SPEC_PATH:
		k = devset_find(ds, &sp->bdf);
		for (unsigned int h = 0; k >= 0 && h < sp->nhops; h++)
			k = topo_child(ds, (size_t)k, sp->hop_dev[h], sp->hop_fn[h]);
		break;
	default:
		k = devset_find(ds, &sp->bdf);
		break;
	}
	if (k < 0)
		return 0;
	if (max)
		idx[0] = (size_t)k;
	return 1;
}
