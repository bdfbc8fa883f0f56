// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>

#include "dmar.h"
#include "util.h"
#include "topology.h"

#define DMAR_HEADER 48
#define DMAR_RMRR 1
#define SCOPE_ENDPOINT 1
#define SCOPE_BRIDGE 2	/* PCI sub-hierarchy */

static int find(const struct devset *ds, unsigned int seg, unsigned int bus,
		unsigned int dev, unsigned int fn)
{
	struct bdf b = { .dom = seg, .bus = bus, .dev = dev, .fn = fn };

	return devset_find(ds, &b);
}

/* Does scope s (n bytes, checked) of segment seg name device i? */
static int scope_names(const uint8_t *s, size_t n, unsigned int seg,
		       const struct devset *ds, size_t i)
{
	unsigned int type = s[0], bus = s[5];
	size_t hops = (n - 6) / 2;
	int k = -1;

	if ((type != SCOPE_ENDPOINT && type != SCOPE_BRIDGE) || !hops)
		return 0;
	for (size_t h = 0; h < hops; h++) {
		if (h) { /* the previous hop is a bridge: its secondary bus */
			const struct pci_caps *c = &ds->d[k].caps;

			if (c->hdr_type != 1 && c->hdr_type != 2)
				return 0;
			bus = c->sec_bus;
		}
		k = find(ds, seg, bus, s[6 + 2 * h], s[7 + 2 * h]);
		if (k < 0)
			return 0;
	}
	if ((size_t)k == i)
		return 1;
	return type == SCOPE_BRIDGE && topo_is_below(ds, i, (size_t)k);
}

int dmar_rmrrs(const uint8_t *tbl, size_t len, const struct devset *ds, size_t i,
	       struct dmar_rmrr *out, size_t max, char *why, size_t whysize)
{
	size_t tlen, off, count = 0;
	unsigned int seg;

	if (len < DMAR_HEADER || (memcmp(tbl, "DMAR", 4) && memcmp(tbl, "RMAD", 4))) {
		snprintf(why, whysize, "not a DMAR table (%zu bytes)", len);
		return -1;
	}
	tlen = acpi_table_length(tbl, len, DMAR_HEADER, why, whysize);
	if (!tlen)
		return -1;
	seg = ds->d[i].bdf.dom;
	for (off = DMAR_HEADER; off < tlen;) {
		const uint8_t *st = tbl + off;
		size_t slen;

		if (tlen - off < 4) {
			snprintf(why, whysize, "structure at offset %zu runs past the end of the table",
				 off);
			return -1;
		}
		slen = u16le(st + 2);
		if (slen < 4 || slen > tlen - off) {
			snprintf(why, whysize, slen < 4 ? "structure at offset %zu is shorter than "
				 "its header" : "structure at offset %zu runs past the end of the table",
				 off);
			return -1;
		}
		if (u16le(st) == DMAR_RMRR) {
			bool hit = false;

			if (slen < 24) {
				snprintf(why, whysize, "RMRR at offset %zu is %zu bytes, shorter than 24",
					 off, slen);
				return -1;
			}
			for (size_t so = 24; so < slen;) {
				size_t n = slen - so < 2 ? 0 : st[so + 1];

				if (n < 6 || n > slen - so) {
					snprintf(why, whysize, "device scope at offset %zu runs past its "
						 "RMRR or is shorter than 6 bytes", off + so);
					return -1;
				}
				if (u16le(st + 6) == seg && scope_names(st + so, n, seg, ds, i))
					hit = true;
				so += n;
			}
			if (hit) {
				if (count < max) {
					out[count].base = u64le(st + 8);
					out[count].limit = u64le(st + 16);
				}
				count++;
			}
		}
		off += slen;
	}
	return count > (size_t)INT32_MAX ? INT32_MAX : (int)count;
}
