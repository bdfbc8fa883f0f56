// SPDX-License-Identifier: GPL-2.0-or-later
/* The doctor's pure rules: the MSI-X page rule and reserved_regions lines. */
#include <string.h>

#include "caps.h"
#include "doctor.h"
#include "tap.h"

static struct pci_caps msix(unsigned int vec, unsigned int tb, uint32_t toff,
			    unsigned int pb, uint32_t poff)
{
	struct pci_caps c;

	memset(&c, 0, sizeof(c));
	c.has_msix = true;
	c.msix_vectors = vec;
	c.msix_table_bir = (uint8_t)tb;
	c.msix_table_off = toff;
	c.msix_pba_bir = (uint8_t)pb;
	c.msix_pba_off = poff;
	return c;
}

static void msix_rule(void)
{
	unsigned long long bar[6] = { 0 };
	struct pci_caps c;
	char why[320];

	memset(&c, 0, sizeof(c));
	ok(doctor_msix(&c, bar, why, sizeof(why)) == MSIX_NONE, "no MSI-X: none");
	/* 82574L: table at 0, PBA at 0x2000 of a 16 KiB BAR 3. */
	c = msix(5, 3, 0, 3, 0x2000);
	bar[3] = 0x4000;
	ok(doctor_msix(&c, bar, why, sizeof(why)) == MSIX_OK, "aligned, own pages: ok (%s)", why);
	/* Coral TPU: table 0x46800, PBA 0x46068 in a 1 MiB BAR 2. */
	c = msix(128, 2, 0x46800, 2, 0x46068);
	bar[2] = 0x100000;
	ok(doctor_msix(&c, bar, why, sizeof(why)) == MSIX_SHARED, "Coral TPU: shared (%s)", why);
	ok(strstr(why, "the table and the PBA share a page") != NULL, "names the shared page");
	bar[2] = 0;
	ok(doctor_msix(&c, bar, why, sizeof(why)) == MSIX_UNKNOWN, "BAR size unknown: unknown");
	/* Table and PBA on one page in a 4 KiB BAR of their own: nothing else there. */
	c = msix(4, 4, 0, 4, 0x800);
	bar[4] = 0x1000;
	ok(doctor_msix(&c, bar, why, sizeof(why)) == MSIX_OK, "one page, BAR holds nothing else: ok");
	bar[4] = 0x4000;
	ok(doctor_msix(&c, bar, why, sizeof(why)) == MSIX_SHARED, "same, 16 KiB BAR: shared");
	/* Table not page aligned in a BAR of its own page, PBA elsewhere. */
	c = msix(4, 0, 0x100, 1, 0);
	bar[0] = 0x1000;
	bar[1] = 0x1000;
	ok(doctor_msix(&c, bar, why, sizeof(why)) == MSIX_OK, "separate BARs, nothing else: ok");
	bar[0] = 0x2000;
	ok(doctor_msix(&c, bar, why, sizeof(why)) == MSIX_SHARED, "unaligned table in a larger BAR: shared");
	c = msix(4, 6, 0, 0, 0);
	ok(doctor_msix(&c, bar, why, sizeof(why)) == MSIX_UNKNOWN, "reserved BIR: unknown");
	/* 2048 vectors: a 32 KiB table, then the PBA on a page of its own. */
	c = msix(2048, 0, 0, 0, 0x8000);
	bar[0] = 0x10000;
	ok(doctor_msix(&c, bar, why, sizeof(why)) == MSIX_OK, "2048 vectors: ok (%s)", why);
	/* The PBA inside the table's last page. */
	c = msix(2048, 0, 0x8000, 0, 0xf000);
	ok(doctor_msix(&c, bar, why, sizeof(why)) == MSIX_SHARED, "PBA inside the table's pages: shared");
}

static void regions(void)
{
	struct region r;

	ok(doctor_parse_region("0x000000003e2e0000 0x000000003e2fffff direct", &r) &&
	   r.start == 0x3e2e0000ULL && r.end == 0x3e2fffffULL && !strcmp(r.type, "direct"),
	   "a direct region");
	ok(doctor_parse_region("0x00000000fee00000 0x00000000feefffff msi", &r) &&
	   !strcmp(r.type, "msi"), "an msi region");
	ok(!doctor_parse_region("0x1000 banana direct", &r), "bad end refused");
	ok(!doctor_parse_region("0x2000 0x1000 direct", &r), "start after end refused");
	ok(!doctor_parse_region("0x1000 0x2000", &r), "no type refused");
	ok(!doctor_parse_region("0x1000 0x2000 direct extra", &r), "trailing words refused");
	ok(!doctor_parse_region("", &r), "empty line refused");
}

int main(void)
{
	msix_rule();
	regions();
	return tap_done();
}
