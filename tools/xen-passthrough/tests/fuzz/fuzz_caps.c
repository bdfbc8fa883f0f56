// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Raw config space: capability walking on arbitrary bytes, then up to
 * eight arbitrary devices (bridges, bus numbers, loops and all) through
 * topology, reset analysis, verdicts and output; the input also as the
 * structures of an ACPI DMAR table, whose RMRR scopes are matched against
 * those devices, and as the blocks of an IVRS table, whose IVMDs are.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "dmar.h"
#include "ivrs.h"
#include "doctor.h"
#include "devices.h"
#include "output.h"
#include "topology.h"
#include "verdict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct devset ds = { 0 };
	struct pci_caps c;
	size_t chunk = 256, ndev, tlen = 48 + (size < 4096 ? size : 4096);
	uint8_t *tbl = xcalloc(tlen, 1);
	FILE *null;

	memcpy(tbl, "DMAR", 4);
	for (int k = 0; k < 4; k++)
		tbl[4 + k] = (uint8_t)(tlen >> (8 * k));
	memcpy(tbl + 48, data, tlen - 48);

	caps_parse(data, size, &c);
	{
		/* the MSI-X page rule with BAR sizes from the input's first bytes */
		unsigned long long bar[6] = { 0 };
		char why[320];

		for (size_t k = 0; k < 6 && size >= 8 * (k + 1); k++) {
			memcpy(&bar[k], data + 8 * k, 8);
			bar[k] >>= data[0] & 63;
		}
		if (doctor_msix(&c, bar, why, sizeof(why)) > MSIX_UNKNOWN ||
		    !memchr(why, '\0', sizeof(why)))
			abort();
	}
	if (size < 1 + 64) {
		free(tbl);
		return 0;
	}
	ndev = (size_t)(data[0] % 8) + 1;
	data++, size--;
	if (size >= 8 * CFG_SIZE)
		chunk = CFG_SIZE;
	for (size_t i = 0; i < ndev && size >= 64; i++) {
		size_t n = size < chunk ? size : chunk;
		struct bdf b = { data[0x3e] & 1, data[0x3f] & 7, data[0x3d] & 0x1f,
				 (unsigned int)i & 7 };

		devset_add(&ds, &b, data, n);
		data += n, size -= n;
	}
	topo_build(&ds);
	for (size_t i = 0; i < ds.n; i++) {
		struct dmar_rmrr r[4];
		char why[160];
		int n = dmar_rmrrs(tbl, tlen, &ds, i, r, 4, why, sizeof(why));

		if (n < -1 || (n < 0 && !memchr(why, '\0', sizeof(why))))
			abort();
		memcpy(tbl, "IVRS", 4);
		n = ivrs_ivmds(tbl, tlen, &ds, i, r, 4, why, sizeof(why));
		memcpy(tbl, "DMAR", 4);
		if (n < -1 || (n < 0 && !memchr(why, '\0', sizeof(why))))
			abort();
	}
	free(tbl);
	null = fopen("/dev/null", "w");
	{
		struct verdict *v = xcalloc(ds.n, sizeof(*v));

		struct doctor *doc = xcalloc(ds.n ? ds.n : 1, sizeof(*doc));
		struct options o = { .proc_root = "/nonexistent" };

		for (size_t i = 0; i < ds.n; i++) {
			verdict_compute(&ds, i, &v[i]);
			doctor_analyse(&o, &ds, i, &v[i].reset, NULL, NULL, &doc[i]);
		}
		out_json(null, &ds, v, doc, true);
		for (size_t i = 0; i < ds.n; i++) {
			out_xl(null, NULL, &ds, i, &v[i], &doc[i], false);
			verdict_free(&v[i]);
			doctor_free(&doc[i]);
		}
		free(doc);
		free(v);
	}
	fclose(null);
	devset_free(&ds);
	return 0;
}
