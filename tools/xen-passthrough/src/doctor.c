// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dmar.h"
#include "ivrs.h"
#include "doctor.h"
#include "sysfs.h"

#define PAGE 4096ULL

static const char *const function_methods[] = { "device_specific", "acpi", "flr",
						"af_flr", "pm" };

static const char *function_method(const char *m)
{
	for (size_t i = 0; i < ARRAY_SIZE(function_methods); i++)
		if (!strcmp(m, function_methods[i]))
			return function_methods[i];
	return NULL;
}

const char *bus_fallback_word(enum bus_fallback b)
{
	switch (b) {
	case BUSFB_NOT_NEEDED: return "not needed";
	case BUSFB_DISABLED: return "reset disabled";
	case BUSFB_NO_BUS: return "no bus reset";
	case BUSFB_POSSIBLE: return "possible";
	default: return "blocked";
	}
}

const char *msix_word(enum msix_state m)
{
	switch (m) {
	case MSIX_NONE: return "none";
	case MSIX_OK: return "ok";
	case MSIX_SHARED: return "shared";
	default: return "unknown";
	}
}

/* The methods of reset_method in order; the first resetting the function alone. */
static void reset_order(const struct devset *ds, const struct pdev *p,
			const struct reset_info *r, struct doctor *d)
{
	char buf[sizeof(p->kernel_reset)], *save = NULL;
	static const unsigned int order[] = { RESET_DEVSPEC, RESET_ACPI, RESET_FLR,
					      RESET_AF_FLR, RESET_PM };

	if (p->has_kernel_reset) {
		d->reset_method_known = true;
		strlcpy0(buf, p->kernel_reset, sizeof(buf));
		for (char *t = strtok_r(buf, " \t\n", &save); t && d->nreset < MAX_RESET_ORDER;
		     t = strtok_r(NULL, " \t\n", &save)) {
			strlcpy0(d->reset_order[d->nreset++], t, sizeof(d->reset_order[0]));
			if (!d->function_method)
				d->function_method = function_method(t);
		}
		return;
	}
	if (ds->reset_method_attr) {
		d->reset_method_hidden = true;
		return;
	}
	/* Without reset_method (old kernel, dump): what config space offers. */
	for (size_t k = 0; k < ARRAY_SIZE(order) && !d->function_method; k++) {
		if (r->methods & order[k]) {
			char n[32];

			reset_names(order[k], n, sizeof(n));
			d->function_method = function_method(n);
		}
	}
}

static void describe_sibling(const struct pdev *s, struct xs *x, const char *xs_why,
			     struct sibling *sb)
{
	strlcpy0(sb->driver, s->driver, sizeof(sb->driver));
	if (!s->driver[0]) {
		sb->blocks = true;
		snprintf(sb->holder, sizeof(sb->holder), "no driver");
		return;
	}
	if (!pdev_is_pciback(s)) {
		sb->blocks = true;
		snprintf(sb->holder, sizeof(sb->holder), "driver %s", esc(s->driver));
		return;
	}
	if (!x && !xs_why) {
		snprintf(sb->holder, sizeof(sb->holder), "pciback, no guest (Xen does not run)");
		return;
	}
	if (!x) {
		sb->blocks = true;
		snprintf(sb->holder, sizeof(sb->holder), "pciback, cannot tell whether a guest uses it: %s",
			 xs_why);
		return;
	}
	{
		struct holder h;

		guest_holder(x, &s->bdf, &h);
		if (h.state == HOLD_GUEST) {
			sb->blocks = sb->guest = true;
			sb->domid = h.domid;
			strlcpy0(sb->domname, h.name, sizeof(sb->domname));
			snprintf(sb->holder, sizeof(sb->holder), "pciback, guest domain %u%s%s%s",
				 h.domid, h.name[0] ? " (" : "", esc(h.name), h.name[0] ? ")" : "");
		} else if (h.state == HOLD_UNKNOWN) {
			sb->blocks = true;
			snprintf(sb->holder, sizeof(sb->holder),
				 "pciback, cannot tell whether a guest uses it: %s", h.why);
		} else {
			snprintf(sb->holder, sizeof(sb->holder), "pciback, no guest");
		}
	}
}

static void reset_doctor(const struct options *o, const struct devset *ds, size_t i,
			 const struct reset_info *r, struct xs *x, const char *xs_why,
			 struct doctor *d)
{
	d->port = r->port;
	reset_order(ds, &ds->d[i], r, d);
	if (o->sysfs_root && rexists(o->sysfs_root, "bus/pci/drivers/pciback"))
		d->do_flr = rexists(o->sysfs_root, "bus/pci/drivers/pciback/do_flr");
	else
		d->do_flr = -1;
	if (d->reset_method_known && !d->nreset) {
		d->bus = BUSFB_DISABLED;
		return;
	}
	if (d->function_method) {
		d->bus = BUSFB_NOT_NEEDED;
		return;
	}
	if (r->port < 0) {
		d->bus = BUSFB_NO_BUS;
		return;
	}
	d->bus = BUSFB_POSSIBLE;
	d->sibs = xcalloc(r->nvictims ? r->nvictims : 1, sizeof(*d->sibs));
	for (size_t k = 0; k < r->nvictims; k++) {
		struct sibling *sb = &d->sibs[d->nsibs++];

		sb->idx = r->victims[k];
		describe_sibling(&ds->d[sb->idx], x, xs_why, sb);
		if (sb->blocks)
			d->bus = BUSFB_BLOCKED;
	}
}

bool doctor_parse_region(const char *line, struct region *out)
{
	char type[sizeof(out->type)];
	unsigned long long a, b;
	int n = 0;

	memset(out, 0, sizeof(*out));
	if (sscanf(line, "0x%llx 0x%llx %23s %n", &a, &b, type, &n) != 3 || line[n] || a > b)
		return false;
	out->start = a;
	out->end = b;
	strlcpy0(out->type, type, sizeof(out->type));
	return true;
}

/*
 * No IOMMU group (dom0 under Xen): the RMRRs of ACPI's DMAR table, which
 * Xen leaves to dom0 as RMAD, or on AMD the IVMD blocks of the IVRS table,
 * which it leaves as it is. No table: the regions stay unknown.
 */
static void dmar_doctor(const char *root, const struct devset *ds, size_t i, struct doctor *d)
{
	static const char *const names[] = { "DMAR", "RMAD", "IVRS" };
	struct dmar_rmrr r[MAX_REGIONS];
	char why[160];
	uint8_t *tbl = NULL;
	size_t len = 0, k;
	bool amd;
	int n;

	for (k = 0; k < ARRAY_SIZE(names) && !tbl; k++)
		tbl = (uint8_t *)rslurp(root, &len, "firmware/acpi/tables/%s", names[k]);
	if (!tbl)
		return;
	amd = !strcmp(names[k - 1], "IVRS");
	n = (amd ? ivrs_ivmds : dmar_rmrrs)(tbl, len, ds, i, r, MAX_REGIONS, why, sizeof(why));
	free(tbl);
	if (n < 0) {
		xp_note("firmware/acpi/tables/%s: %s; its %s are unknown", names[k - 1], why,
			amd ? "reserved regions" : "RMRRs");
		return;
	}
	d->regions_known = true;
	snprintf(d->regions_source, sizeof(d->regions_source), "%s", names[k - 1]);
	for (int j = 0; j < n && j < MAX_REGIONS; j++) {
		d->regions[d->nregions].start = r[j].base;
		d->regions[d->nregions].end = r[j].limit;
		strlcpy0(d->regions[d->nregions].type, amd ? "ivmd" : "rmrr",
			 sizeof(d->regions[0].type));
		d->nregions++;
		d->rmrr = true;
	}
}

static void regions_doctor(const char *root, const struct devset *ds, size_t i,
			   struct doctor *d)
{
	const struct pdev *p = &ds->d[i];
	char *text, *save = NULL;
	size_t len, lineno = 0;

	if (!root || rlinkbase(root, d->iommu_group, sizeof(d->iommu_group),
			       "bus/pci/devices/%s/iommu_group", p->name) < 0) {
		d->iommu_group[0] = '\0';
		if (root)
			dmar_doctor(root, ds, i, d);
		return;
	}
	text = rslurp(root, &len, "kernel/iommu_groups/%s/reserved_regions", d->iommu_group);
	if (!text) {
		xp_note("%s: cannot read kernel/iommu_groups/%s/reserved_regions: %s", p->name,
			esc(d->iommu_group), xp_strerror(errno));
		return;
	}
	d->regions_known = true;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		struct region rg;

		lineno++;
		if (!doctor_parse_region(l, &rg)) {
			xp_note("%s: kernel/iommu_groups/%s/reserved_regions line %zu is not "
				"\"0xSTART 0xEND TYPE\": '%s'; ignored", p->name,
				esc(d->iommu_group), lineno, esc(l));
			continue;
		}
		if (!strcmp(rg.type, "direct") || !strcmp(rg.type, "direct-relaxable"))
			d->rmrr = true;
		if (d->nregions < MAX_REGIONS)
			d->regions[d->nregions++] = rg;
	}
	free(text);
}

/* BAR sizes from the first six lines of resource ("0xSTART 0xEND 0xFLAGS"). */
static void bar_sizes(const char *root, const struct pdev *p, unsigned long long bar[6])
{
	char *text, *save = NULL;
	size_t len, k = 0;

	if (!root || !(text = rslurp(root, &len, "bus/pci/devices/%s/resource", p->name)))
		return;
	for (char *l = strtok_r(text, "\n", &save); l && k < 6;
	     l = strtok_r(NULL, "\n", &save), k++) {
		unsigned long long a, b, fl;

		if (sscanf(l, "%llx %llx %llx", &a, &b, &fl) == 3 && b > a)
			bar[k] = b - a + 1;
	}
	free(text);
}

static unsigned long long pg_down(unsigned long long x) { return x & ~(PAGE - 1); }
static unsigned long long pg_up(unsigned long long x) { return (x + PAGE - 1) & ~(PAGE - 1); }

/*
 * The rule: for the table and for the PBA, the 4 KiB pages it touches hold
 * nothing else: it starts on a page boundary and shares no page with the
 * other one. A BAR that holds nothing but the pages of the table and the
 * PBA has no other registers to share a page with, and passes.
 */
enum msix_state doctor_msix(const struct pci_caps *c, const unsigned long long bar[6],
			    char *why, size_t size)
{
	unsigned long long ts, te, ps, pe, pages;
	size_t len = 0;
	bool bad = false;

	why[0] = '\0';
	if (!c->has_msix)
		return MSIX_NONE;
	if (c->msix_table_bir > 5 || c->msix_pba_bir > 5) {
		snprintf(why, size, "reserved BAR indicator (table BIR %u, PBA BIR %u)",
			 c->msix_table_bir, c->msix_pba_bir);
		return MSIX_UNKNOWN;
	}
	ts = c->msix_table_off;
	te = ts + 16ULL * c->msix_vectors;
	ps = c->msix_pba_off;
	pe = ps + 8ULL * ((c->msix_vectors + 63) / 64);
#define ADD(...) (len += (size_t)snprintf(why + len, len < size ? size - len : 0, __VA_ARGS__))
	ADD("table BAR %u offset 0x%llx-0x%llx, PBA BAR %u offset 0x%llx-0x%llx",
	    c->msix_table_bir, ts, te - 1, c->msix_pba_bir, ps, pe - 1);
	if (ts % PAGE) {
		bad = true;
		ADD("; the table does not start on a 4 KiB page");
	}
	if (ps % PAGE) {
		bad = true;
		ADD("; the PBA does not start on a 4 KiB page");
	}
	if (c->msix_table_bir == c->msix_pba_bir && pg_down(ts) < pg_up(pe) &&
	    pg_down(ps) < pg_up(te)) {
		bad = true;
		ADD("; the table and the PBA share a page");
	}
	if (!bad) {
		ADD("; page aligned, pages not shared");
		return MSIX_OK;
	}
	if (!bar[c->msix_table_bir] || !bar[c->msix_pba_bir]) {
		ADD("; BAR size unknown (no resource file)");
		return MSIX_UNKNOWN;
	}
	/* Bytes of the MSI-X pages in the table's BAR (and the PBA's). */
	if (c->msix_table_bir == c->msix_pba_bir) {
		unsigned long long a = pg_down(ts < ps ? ts : ps), b = pg_up(te > pe ? te : pe);
		bool overlap = pg_down(ts) < pg_up(pe) && pg_down(ps) < pg_up(te);

		pages = overlap ? b - a : (pg_up(te) - pg_down(ts)) + (pg_up(pe) - pg_down(ps));
		if (bar[c->msix_table_bir] <= pages) {
			ADD("; but BAR %u (0x%llx bytes) holds nothing else", c->msix_table_bir,
			    bar[c->msix_table_bir]);
			return MSIX_OK;
		}
		ADD("; BAR %u is 0x%llx bytes, so other registers share those pages",
		    c->msix_table_bir, bar[c->msix_table_bir]);
		return MSIX_SHARED;
	}
	{
		bool t_only = bar[c->msix_table_bir] <= pg_up(te) - pg_down(ts);
		bool p_only = bar[c->msix_pba_bir] <= pg_up(pe) - pg_down(ps);

		if ((!(ts % PAGE) || t_only) && (!(ps % PAGE) || p_only)) {
			ADD("; but its BAR holds nothing else");
			return MSIX_OK;
		}
	}
	ADD("; BAR %u is 0x%llx bytes, BAR %u 0x%llx bytes, so other registers share those pages",
	    c->msix_table_bir, bar[c->msix_table_bir], c->msix_pba_bir, bar[c->msix_pba_bir]);
	return MSIX_SHARED;
#undef ADD
}

static int permissive(const char *root, const struct pdev *p)
{
	char *text, *save = NULL;
	size_t len;
	int on = 0;

	if (!root || !(text = rslurp(root, &len, "bus/pci/drivers/pciback/permissive")))
		return -1;
	for (char *t = strtok_r(text, " \t\n", &save); t && !on; t = strtok_r(NULL, " \t\n", &save))
		on = !strcmp(t, p->name);
	free(text);
	return on;
}

void doctor_analyse(const struct options *o, const struct devset *ds, size_t i,
		    const struct reset_info *r, struct xs *x, const char *xs_why,
		    struct doctor *d)
{
	const struct pdev *p = &ds->d[i];

	memset(d, 0, sizeof(*d));
	reset_doctor(o, ds, i, r, x, xs_why, d);
	regions_doctor(o->sysfs_root, ds, i, d);
	bar_sizes(o->sysfs_root, p, d->bar_size);
	d->msix = doctor_msix(&p->caps, d->bar_size, d->msix_why, sizeof(d->msix_why));
	d->permissive = permissive(o->sysfs_root, p);
}

void doctor_regions(const char *sysfs_root, const struct devset *ds, size_t i,
		    struct doctor *d)
{
	memset(d, 0, sizeof(*d));
	regions_doctor(sysfs_root, ds, i, d);
}

void doctor_free(struct doctor *d)
{
	free(d->sibs);
	d->sibs = NULL;
	d->nsibs = 0;
}
