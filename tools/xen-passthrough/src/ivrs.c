// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>

#include "ivrs.h"
#include "util.h"

#define IVRS_HEADER 48
#define IVRS_BLOCK 6
#define IVMD_LEN 32
#define IVMD_ALL 0x20
#define IVMD_ONE 0x21
#define IVMD_RANGE 0x22
#define IVMD_IOMMU 0x23

int ivrs_ivmds(const uint8_t *tbl, size_t len, const struct devset *ds, size_t i,
	       struct dmar_rmrr *out, size_t max, char *why, size_t whysize)
{
	const struct bdf *b = &ds->d[i].bdf;
	unsigned int id = (b->bus & 0xff) << 8 | (b->dev & 0x1f) << 3 | (b->fn & 7);
	size_t tlen, off, count = 0;

	if (len < IVRS_HEADER || memcmp(tbl, "IVRS", 4)) {
		snprintf(why, whysize, "not an IVRS table (%zu bytes)", len);
		return -1;
	}
	tlen = acpi_table_length(tbl, len, IVRS_HEADER, why, whysize);
	if (!tlen)
		return -1;
	for (off = IVRS_HEADER; off < tlen;) {
		const uint8_t *bl = tbl + off;
		unsigned int type, first, last;
		unsigned long long start, size;
		size_t blen;
		bool hit;

		if (tlen - off < IVRS_BLOCK) {
			snprintf(why, whysize, "block at offset %zu runs past the end of the table",
				 off);
			return -1;
		}
		type = bl[0];
		blen = u16le(bl + 2);
		if (blen < IVRS_BLOCK || blen > tlen - off) {
			snprintf(why, whysize, blen < IVRS_BLOCK ? "block at offset %zu is shorter "
				 "than its header" : "block at offset %zu runs past the end of the table",
				 off);
			return -1;
		}
		off += blen;
		if (type < IVMD_ALL || type > IVMD_IOMMU)
			continue;	/* IVHD, or a type of a later revision */
		if (blen < IVMD_LEN) {
			snprintf(why, whysize, "IVMD at offset %zu is %zu bytes, shorter than %d",
				 off - blen, blen, IVMD_LEN);
			return -1;
		}
		first = u16le(bl + 4);
		last = u16le(bl + 6);
		start = u64le(bl + 16);
		size = u64le(bl + 24);
		if (!size || size - 1 > ~0ULL - start) {
			snprintf(why, whysize, "IVMD at offset %zu has a length of 0x%llx at 0x%llx",
				 off - blen, size, start);
			return -1;
		}
		if (type == IVMD_RANGE && last <= first) {
			/* Xen refuses it (and with it the IOMMU) too */
			snprintf(why, whysize, "IVMD at offset %zu names devices 0x%04x to 0x%04x",
				 off - blen, first, last);
			return -1;
		}
		if (type == IVMD_ALL || type == IVMD_IOMMU)
			hit = true;
		else
			hit = u16le(bl + 8) == b->dom && id >= first &&
			      id <= (type == IVMD_ONE ? first : last);
		if (hit) {
			if (count < max) {
				out[count].base = start;
				out[count].limit = start + (size - 1);
			}
			count++;
		}
	}
	return count > (size_t)INT32_MAX ? INT32_MAX : (int)count;
}
