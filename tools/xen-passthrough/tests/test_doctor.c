// SPDX-License-Identifier: GPL-2.0-or-later
/* The doctor's pure rules: the MSI-X page rule, reserved_regions lines,
 * and boot-report's kernel log and hide= parsing. */
#include <string.h>

#include "bootlog.h"
#include "caps.h"
#include "dmar.h"
#include "ivrs.h"
#include "doctor.h"
#include "topology.h"
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

static void count(const char *entry, void *arg)
{
	(void)entry;
	++*(int *)arg;
}

static void bootlog(void)
{
	const char *msg, *rest;
	long long t;
	struct bdf b;
	char who[64];
	int n = 0;

	ok(kmsg_split("6,301,700100,-;pciback 0000:01:00.1: xen_pciback: seizing device", &t, &msg) &&
	   t == 700100 && !strncmp(msg, "pciback ", 8), "a /dev/kmsg record");
	ok(kmsg_split("6,1,5,c,extra;x", &t, &msg) && t == 5 && !strcmp(msg, "x"),
	   "a /dev/kmsg record with more fields");
	ok(!kmsg_split(" SUBSYSTEM=pci", &t, &msg), "a continuation line is skipped");
	ok(kmsg_split("[   12.000345] nouveau 0000:01:00.0: x", &t, &msg) && t == 12000345 &&
	   !strcmp(msg, "nouveau 0000:01:00.0: x"), "a dmesg line");
	ok(kmsg_split("plain text", &t, &msg) && t == -1 && !strcmp(msg, "plain text"),
	   "a line without time");
	ok(kmsg_split("[ 99999999999999999999.1] x", &t, &msg) && t == -1, "an absurd time is no time");
	ok(kmsg_device("amdgpu 0000:03:00.0: amdgpu: VRAM: 8176M", who, sizeof(who), &b, &rest) &&
	   !strcmp(who, "amdgpu") && b.bus == 3 && !strcmp(rest, "amdgpu: VRAM: 8176M"),
	   "a driver's device line");
	ok(kmsg_device("xen_pciback: wants to seize 0000:00:05.0", who, sizeof(who), &b, &rest) &&
	   !strcmp(who, "xen_pciback") && b.dev == 5, "pciback's wants to seize");
	/* Network drivers log "DRIVER BDF IFNAME: ..." (netdev_info): e1000's
	 * only lines about a device it probed (recorded on QEMU's e1000). */
	ok(kmsg_device("e1000 0000:01:00.0 eth0: (PCI:33MHz:32-bit) 52:54:00:12:34:56", who,
		       sizeof(who), &b, &rest) && !strcmp(who, "e1000") && b.bus == 1 &&
	   !strcmp(rest, "(PCI:33MHz:32-bit) 52:54:00:12:34:56"), "a netdev line names its driver");
	ok(!kmsg_device("e1000e 0000:00:1f.6 eno1 renamed", who, sizeof(who), &b, &rest),
	   "a word after the BDF without a colon is not a device line");
	ok(kmsg_device("xen_pciback: 0000:01:00.0 matches slot 0000:01:00.0 but is bound to e1000; "
		       "not seized", who, sizeof(who), &b, &rest) && !strcmp(who, "xen_pciback") &&
	   b.bus == 1 && !strncmp(rest, "matches slot", 12), "pciback's not seized line");
	ok(!kmsg_device("pciback 0000:01:00", who, sizeof(who), &b, &rest), "a cut line");
	ok(!kmsg_device("", who, sizeof(who), &b, &rest), "an empty message");
	ok(hide_split("(0000:01:00.0)(01:00.1)", count, &n) && n == 2, "hide= with two entries");
	n = 0;
	ok(hide_split("", count, &n) && n == 0, "empty hide=");
	ok(!hide_split("0000:04:00.0", count, &n), "hide= without parentheses");
	ok(!hide_split("(01:00.0", count, &n), "unclosed parenthesis");
	ok(!hide_split("(()", count, &n), "nested parenthesis");
	ok(!hide_split("()", count, &n), "empty entry");
}

/* A root port 00:1c.0 (secondary bus 2) and an endpoint 02:00.0 below it. */
static void dmar_scopes(void)
{
	uint8_t port[256] = { 0x86, 0x80, 0x10, 0xa3 }, ep[256] = { 0x86, 0x80, 0xd3, 0x10 };
	struct bdf bp = { 0, 0, 0x1c, 0 }, be = { 0, 2, 0, 0 };
	struct devset ds = { 0 };
	struct dmar_rmrr r[4];
	uint8_t t[128] = { 'R', 'M', 'A', 'D' };
	char why[160];
	size_t len;
	int ie, ip;

	port[0x0e] = 1; port[0x19] = 2; port[0x1a] = 2; port[0x0b] = 6; port[0x0a] = 4;
	devset_add(&ds, &bp, port, sizeof(port));
	devset_add(&ds, &be, ep, sizeof(ep));
	topo_build(&ds);
	ip = devset_find(&ds, &bp);
	ie = devset_find(&ds, &be);
	/* RMRR 0x1000-0x1fff, one endpoint scope: bus 0, path 1c.0 -> 00.0 */
	len = 48;
	t[len] = 1; t[len + 2] = 24 + 10; t[len + 9] = 0x10; t[len + 16] = 0xff; t[len + 17] = 0x1f;
	t[len + 24] = 1; t[len + 25] = 10; t[len + 29] = 0; t[len + 30] = 0x1c; t[len + 31] = 0;
	t[len + 32] = 0; t[len + 33] = 0;
	len += 34;
	t[4] = (uint8_t)len;
	ok(dmar_rmrrs(t, len, &ds, (size_t)ie, r, 4, why, sizeof(why)) == 1 && r[0].base == 0x1000 &&
	   r[0].limit == 0x1fff, "an endpoint scope through a bridge names the device below it");
	ok(dmar_rmrrs(t, len, &ds, (size_t)ip, r, 4, why, sizeof(why)) == 0,
	   "an endpoint scope does not name the bridge on its path");
	t[48 + 24] = 2; t[48 + 25] = 8; /* sub-hierarchy of 00:1c.0 */
	ok(dmar_rmrrs(t, len - 2, &ds, (size_t)ie, r, 4, why, sizeof(why)) == -1,
	   "a table shorter than its header says is malformed");
	t[4] = (uint8_t)(len - 2); t[48 + 2] = 24 + 8;
	ok(dmar_rmrrs(t, len - 2, &ds, (size_t)ie, r, 4, why, sizeof(why)) == 1 &&
	   dmar_rmrrs(t, len - 2, &ds, (size_t)ip, r, 4, why, sizeof(why)) == 1,
	   "a sub-hierarchy scope names the bridge and the device below it");
	t[48 + 6] = 1; /* segment 1 */
	ok(dmar_rmrrs(t, len - 2, &ds, (size_t)ie, r, 4, why, sizeof(why)) == 0,
	   "an RMRR of another segment names nothing here");
	t[48 + 25] = 40;
	ok(dmar_rmrrs(t, len - 2, &ds, (size_t)ie, r, 4, why, sizeof(why)) == -1 &&
	   strstr(why, "device scope") != NULL, "a scope running past its RMRR is malformed (%s)", why);
	memcpy(t, "APIC", 4);
	ok(dmar_rmrrs(t, len - 2, &ds, (size_t)ie, r, 4, why, sizeof(why)) == -1,
	   "another table is refused");
	devset_free(&ds);
}

/* IVRS: IVMD blocks after an IVHD, on the devices of dmar_scopes(). */
static size_t ivrs_put(uint8_t *t, size_t off, unsigned int type, unsigned int first,
		       unsigned int aux, unsigned int seg, unsigned long long start,
		       unsigned long long size)
{
	uint8_t *b = t + off;

	memset(b, 0, 32);
	b[0] = (uint8_t)type; b[1] = 7; b[2] = 32;
	b[4] = (uint8_t)first; b[5] = (uint8_t)(first >> 8);
	b[6] = (uint8_t)aux; b[7] = (uint8_t)(aux >> 8);
	b[8] = (uint8_t)seg;
	for (int k = 0; k < 8; k++) {
		b[16 + k] = (uint8_t)(start >> 8 * k);
		b[24 + k] = (uint8_t)(size >> 8 * k);
	}
	off += 32;
	t[4] = (uint8_t)off; t[5] = (uint8_t)(off >> 8);
	return off;
}

static void ivrs_blocks(void)
{
	uint8_t port[256] = { 0x86, 0x80, 0x10, 0xa3 }, ep[256] = { 0x86, 0x80, 0xd3, 0x10 };
	struct bdf bp = { 0, 0, 0x1c, 0 }, be = { 0, 2, 0, 0 };
	struct devset ds = { 0 };
	struct dmar_rmrr r[4];
	uint8_t t[256] = { 'I', 'V', 'R', 'S' };
	char why[160];
	size_t len, ie, ip;

	port[0x0e] = 1; port[0x19] = 2; port[0x1a] = 2; port[0x0b] = 6; port[0x0a] = 4;
	devset_add(&ds, &bp, port, sizeof(port));
	devset_add(&ds, &be, ep, sizeof(ep));
	topo_build(&ds);
	ip = (size_t)devset_find(&ds, &bp);
	ie = (size_t)devset_find(&ds, &be);
	/* an IVHD of 24 bytes and an 8-byte device entry ("all"), skipped */
	t[48] = 0x10; t[50] = 32; t[52] = 2; t[54] = 0x40; t[72] = 1;
	len = ivrs_put(t, 80, 0x21, 0x0200, 0, 0, 0x1000, 0x1000);
	ok(ivrs_ivmds(t, len, &ds, ie, r, 4, why, sizeof(why)) == 1 && r[0].base == 0x1000 &&
	   r[0].limit == 0x1fff, "an IVMD for one device names it (%s)", why);
	ok(ivrs_ivmds(t, len, &ds, ip, r, 4, why, sizeof(why)) == 0,
	   "an IVMD for one device names no other");
	ivrs_put(t, 80, 0x21, 0x0200, 0, 1, 0x1000, 0x1000);
	ok(ivrs_ivmds(t, len, &ds, ie, r, 4, why, sizeof(why)) == 0,
	   "an IVMD of segment 1 names nothing in segment 0");
	ivrs_put(t, 80, 0x22, 0x00e0, 0x0200, 0, 0x1000, 0x1000);
	ok(ivrs_ivmds(t, len, &ds, ie, r, 4, why, sizeof(why)) == 1 &&
	   ivrs_ivmds(t, len, &ds, ip, r, 4, why, sizeof(why)) == 1,
	   "an IVMD range 00:1c.0-02:00.0 names both ends");
	ivrs_put(t, 80, 0x22, 0x00e1, 0x01ff, 0, 0x1000, 0x1000);
	ok(ivrs_ivmds(t, len, &ds, ie, r, 4, why, sizeof(why)) == 0 &&
	   ivrs_ivmds(t, len, &ds, ip, r, 4, why, sizeof(why)) == 0,
	   "an IVMD range 00:1c.1-01:1f.7 names neither");
	ivrs_put(t, 80, 0x22, 0x0200, 0x0200, 0, 0x1000, 0x1000);
	ok(ivrs_ivmds(t, len, &ds, ie, r, 4, why, sizeof(why)) == -1 && strstr(why, "0x0200 to 0x0200"),
	   "a range whose last id is not above its first is malformed (%s)", why);
	ivrs_put(t, 80, 0x20, 0xffff, 0, 0, 0xa0000, 0x20000);
	len = ivrs_put(t, 112, 0x21, 0x00e0, 0, 0, 0x3000, 0x1000);
	ok(ivrs_ivmds(t, len, &ds, ip, r, 4, why, sizeof(why)) == 2 && r[0].limit == 0xbffff &&
	   r[1].base == 0x3000, "an IVMD for all devices names every device, with the others");
	ok(ivrs_ivmds(t, len, &ds, ip, r, 1, why, sizeof(why)) == 2 && r[0].base == 0xa0000,
	   "more IVMDs than room: counted, the first stored");
	ivrs_put(t, 112, 0x21, 0x00e0, 0, 0, 0xfffffffffffff000ULL, 0x2000);
	ok(ivrs_ivmds(t, len, &ds, ip, r, 4, why, sizeof(why)) == -1 && strstr(why, "IVMD at offset 112"),
	   "an IVMD past the end of the address space is malformed (%s)", why);
	ivrs_put(t, 112, 0x21, 0x00e0, 0, 0, 0x3000, 0);
	ok(ivrs_ivmds(t, len, &ds, ip, r, 4, why, sizeof(why)) == -1,
	   "an IVMD of length 0 is malformed");
	ivrs_put(t, 112, 0x21, 0x00e0, 0, 0, 0x3000, 0x1000);
	t[114] = 24;
	ok(ivrs_ivmds(t, len - 8, &ds, ip, r, 4, why, sizeof(why)) == -1,
	   "a table shorter than its header says is malformed");
	t[4] = (uint8_t)(len - 8);
	ok(ivrs_ivmds(t, len - 8, &ds, ip, r, 4, why, sizeof(why)) == -1 && strstr(why, "shorter than 32"),
	   "an IVMD of 24 bytes is malformed (%s)", why);
	t[114] = 4;
	ok(ivrs_ivmds(t, len - 8, &ds, ip, r, 4, why, sizeof(why)) == -1 && strstr(why, "shorter than its header"),
	   "a block shorter than its header is malformed (%s)", why);
	t[114] = 0x24;
	ok(ivrs_ivmds(t, len - 8, &ds, ip, r, 4, why, sizeof(why)) == -1 && strstr(why, "runs past"),
	   "a block running past the table is malformed (%s)", why);
	memcpy(t, "DMAR", 4);
	ok(ivrs_ivmds(t, len, &ds, ip, r, 4, why, sizeof(why)) == -1, "another table is refused");
	devset_free(&ds);
}

int main(void)
{
	msix_rule();
	regions();
	dmar_scopes();
	ivrs_blocks();
	bootlog();
	return tap_done();
}
