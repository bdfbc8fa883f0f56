// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "inuse.h"
#include "json.h"
#include "output.h"
#include "topology.h"

static void describe(const struct pdev *p, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", esc(p->vendor_name),
		 p->vendor_name[0] && p->device_name[0] ? " " : "", esc(p->device_name));
	if (!buf[0])
		snprintf(buf, size, "[%04x:%04x]", p->caps.vendor, p->caps.device);
}

static void verdict_short(const struct devset *ds, const struct verdict *v,
			  char *buf, size_t size)
{
	if (v->kind != V_TOGETHER)
		snprintf(buf, size, "%s", verdict_word(v->kind));
	else if (v->nwith == 1)
		snprintf(buf, size, "with %s", ds->d[v->with[0]].name);
	else
		snprintf(buf, size, "with %s +%zu", ds->d[v->with[0]].name, v->nwith - 1);
}

static bool isolated(const struct verdict *v)
{
	return v->non_acs_port < 0 && v->alias_bridge < 0 && !v->mf_no_acs;
}

/* The doctor's findings as short words: "bus-reset-blocked,rmrr", "-". */
static void doctor_flags(const struct doctor *d, char *buf, size_t size)
{
	size_t len = 0;

#define FLAG(c, w) if (c) len += (size_t)snprintf(buf + len, len < size ? size - len : 0, \
						  "%s%s", len ? "," : "", w)
	buf[0] = '\0';
	FLAG(d->bus == BUSFB_DISABLED, "no-reset");
	FLAG(d->bus == BUSFB_BLOCKED, "bus-reset-blocked");
	FLAG(d->bus == BUSFB_POSSIBLE, "bus-reset");
	FLAG(d->rmrr, "rmrr");
	FLAG(d->msix == MSIX_SHARED, "msix-shared");
	FLAG(d->msix == MSIX_UNKNOWN, "msix-unknown");
	FLAG(d->permissive == 1, "permissive");
#undef FLAG
	if (!buf[0])
		strlcpy0(buf, "-", size);
}

void out_table(FILE *f, const struct devset *ds, const struct verdict *v,
	       const struct doctor *doc)
{
	fprintf(f, "%-12s  %-4s  %-9s  %-14s %-3s %-22s %-4s %-25s %-18s %s\n", "BDF",
		"CLS", "ID", "DRIVER", "PB", "RESET", "ISO", "VERDICT", "DOCTOR", "NAME");
	for (size_t i = 0; i < ds->n; i++) {
		const struct pdev *p = &ds->d[i];
		char rs[96], vs[64], name[256], fl[128];

		reset_names(reset_all(&v[i].reset), rs, sizeof(rs));
		verdict_short(ds, &v[i], vs, sizeof(vs));
		describe(p, name, sizeof(name));
		doctor_flags(&doc[i], fl, sizeof(fl));
		fprintf(f, "%-12s  %04x  %04x:%04x  %-14s %-3s %-22s %-4s %-25s %-18s %.60s\n",
			p->name, p->caps.class >> 8, p->caps.vendor, p->caps.device,
			p->driver[0] ? esc(p->driver) : "-", pdev_is_pciback(p) ? "yes" : "no",
			rs, isolated(&v[i]) ? "yes" : "no", vs, fl, name);
	}
}

static void json_names(FILE *f, const struct devset *ds, const size_t *idx,
		       size_t n, bool endpoints_only)
{
	bool first = true;

	fputc('[', f);
	for (size_t j = 0; j < n; j++) {
		if (endpoints_only && caps_is_bridge(&ds->d[idx[j]].caps))
			continue;
		if (!first)
			fputc(',', f);
		first = false;
		json_str(f, ds->d[idx[j]].name);
	}
	fputc(']', f);
}

static void json_opt(FILE *f, const char *key, const char *val, bool *first)
{
	json_key(f, key, first);
	if (val && val[0])
		json_str(f, val);
	else
		fputs("null", f);
}

static void json_methods(FILE *f, unsigned int m)
{
	char buf[128], *save = NULL;
	bool first = true;

	reset_names(m, buf, sizeof(buf));
	fputc('[', f);
	for (char *t = m ? strtok_r(buf, ",", &save) : NULL; t;
	     t = strtok_r(NULL, ",", &save)) {
		fputs(first ? "" : ",", f);
		first = false;
		json_str(f, t);
	}
	fputc(']', f);
}

static void json_reset(FILE *f, const struct devset *ds, const struct reset_info *r)
{
	bool first = true;

	fputc('{', f);
	json_key(f, "methods", &first);
	json_methods(f, r->methods);
	json_key(f, "kernel", &first);
	if (r->kernel_known)
		json_methods(f, r->kernel);
	else
		fputs("null", f);
	json_opt(f, "bus_reset_port", r->port >= 0 ? ds->d[r->port].name : NULL, &first);
	json_key(f, "bus_reset_affects", &first);
	json_names(f, ds, r->victims, r->nvictims, false);
	fputc('}', f);
}

static void json_bool(FILE *f, const char *key, int val, bool *first)
{
	json_key(f, key, first);
	fputs(val < 0 ? "null" : val ? "true" : "false", f);
}

static void json_doctor_reset(FILE *f, const struct devset *ds, const struct doctor *d)
{
	bool first = true;

	fputc('{', f);
	json_key(f, "reset_method", &first);
	if (d->reset_method_known || d->reset_method_hidden) {
		fputc('[', f);
		for (size_t k = 0; k < d->nreset; k++) {
			fputs(k ? "," : "", f);
			json_str(f, d->reset_order[k]);
		}
		fputc(']', f);
	} else {
		fputs("null", f);
	}
	json_bool(f, "disabled", d->bus == BUSFB_DISABLED, &first);
	json_opt(f, "function_reset", d->function_method, &first);
	json_bool(f, "do_flr", d->do_flr, &first);
	json_opt(f, "bus_fallback", bus_fallback_word(d->bus), &first);
	json_opt(f, "bus_fallback_port",
		 (d->bus == BUSFB_POSSIBLE || d->bus == BUSFB_BLOCKED) ? ds->d[d->port].name : NULL,
		 &first);
	json_key(f, "bus_fallback_siblings", &first);
	fputc('[', f);
	for (size_t k = 0; k < d->nsibs; k++) {
		const struct sibling *sb = &d->sibs[k];
		bool sf = true;

		fputs(k ? ",{" : "{", f);
		json_opt(f, "bdf", ds->d[sb->idx].name, &sf);
		json_opt(f, "driver", sb->driver, &sf);
		json_key(f, "domid", &sf);
		if (sb->guest)
			fprintf(f, "%u", sb->domid);
		else
			fputs("null", f);
		json_opt(f, "domain_name", sb->guest ? sb->domname : NULL, &sf);
		json_bool(f, "blocks", sb->blocks, &sf);
		json_opt(f, "holder", sb->holder, &sf);
		fputc('}', f);
	}
	fputs("]}", f);
}

static void json_doctor(FILE *f, const struct devset *ds, size_t i, const struct doctor *d)
{
	bool first = true;
	char buf[32];

	fputc('{', f);
	json_key(f, "reset", &first);
	json_doctor_reset(f, ds, d);
	json_opt(f, "iommu_group", d->iommu_group, &first);
	json_key(f, "reserved_regions", &first);
	if (d->regions_known) {
		fputc('[', f);
		for (size_t k = 0; k < d->nregions; k++) {
			bool rf = true;

			fputs(k ? ",{" : "{", f);
			snprintf(buf, sizeof(buf), "0x%llx", d->regions[k].start);
			json_opt(f, "start", buf, &rf);
			snprintf(buf, sizeof(buf), "0x%llx", d->regions[k].end);
			json_opt(f, "end", buf, &rf);
			json_opt(f, "type", d->regions[k].type, &rf);
			fputc('}', f);
		}
		fputc(']', f);
	} else {
		fputs("null", f);
	}
	json_key(f, "reserved_regions_source", &first);
	if (!d->regions_known)
		fputs("null", f);
	else
		json_str(f, !d->regions_source[0] ? "iommu_group" :
			 strcmp(d->regions_source, "IVRS") ? "acpi_dmar" : "acpi_ivrs");
	json_bool(f, "rmrr", d->rmrr, &first);
	json_opt(f, "msix", msix_word(d->msix), &first);
	json_opt(f, "msix_detail", d->msix_why, &first);
	json_bool(f, "permissive", d->permissive, &first);
	json_bool(f, "permissive_effective", d->permissive < 0 ? -1 :
		  d->permissive && pdev_is_pciback(&ds->d[i]), &first);
	fputc('}', f);
}

static void json_isolation(FILE *f, const struct devset *ds, size_t i,
			   const struct verdict *v)
{
	bool first = true, f2 = true;
	size_t steps = 0;

	fputc('{', f);
	json_key(f, "acs_path", &first);
	fputc('[', f);
	for (int k = ds->d[i].parent; k >= 0 && steps++ <= ds->n; k = ds->d[k].parent) {
		bool ff = true;

		fputs(f2 ? "{" : ",{", f);
		f2 = false;
		json_opt(f, "bdf", ds->d[k].name, &ff);
		json_key(f, "acs", &ff);
		fputs(iso_acs_enabled(ds, (size_t)k) ? "true}" : "false}", f);
	}
	fputc(']', f);
	json_key(f, "multifunction", &first);
	fputs(ds->d[i].caps.multifunction ? "true" : "false", f);
	json_key(f, "multifunction_without_acs", &first);
	fputs(v->mf_no_acs ? "true" : "false", f);
	json_opt(f, "alias_bridge", v->alias_bridge >= 0 ? ds->d[v->alias_bridge].name : NULL, &first);
	json_opt(f, "non_acs_port", v->non_acs_port >= 0 ? ds->d[v->non_acs_port].name : NULL, &first);
	json_key(f, "group", &first);
	json_names(f, ds, v->group, v->ngroup, false);
	fputc('}', f);
}

static void json_dev(FILE *f, const struct devset *ds, size_t i, const struct verdict *v,
		     const struct doctor *d)
{
	const struct pdev *p = &ds->d[i];
	char buf[256];
	bool first = true, vf = true;

	fputc('{', f);
	json_opt(f, "bdf", p->name, &first);
	topo_path(ds, i, buf, sizeof(buf));
	json_opt(f, "path", buf, &first);
	snprintf(buf, sizeof(buf), "%06x", p->caps.class);
	json_opt(f, "class", buf, &first);
	json_opt(f, "class_name", p->class_name, &first);
	snprintf(buf, sizeof(buf), "%04x:%04x", p->caps.vendor, p->caps.device);
	json_opt(f, "id", buf, &first);
	json_opt(f, "vendor_name", p->vendor_name, &first);
	json_opt(f, "device_name", p->device_name, &first);
	json_opt(f, "driver", p->driver, &first);
	json_key(f, "pciback", &first);
	fputs(pdev_is_pciback(p) ? "true" : "false", f);
	json_opt(f, "pcie_type", p->caps.has_pcie ? pcie_type_name(p->caps.pcie_type) : NULL, &first);
	json_key(f, "reset", &first);
	json_reset(f, ds, &v->reset);
	json_key(f, "doctor", &first);
	json_doctor(f, ds, i, d);
	json_key(f, "isolation", &first);
	json_isolation(f, ds, i, v);
	json_key(f, "dom0_use", &first);
	{
		static const struct {
			unsigned int bit;
			const char *name;
		} uses[] = {
			{ DOM0_ROOTFS, "root filesystem" },
			{ DOM0_MAYBE_ROOTFS, "possibly root filesystem" },
			{ DOM0_CONSOLE, "console" },
			{ DOM0_NETWORK, "default route" },
		};
		bool uf = true;

		fputc('[', f);
		for (size_t k = 0; k < ARRAY_SIZE(uses); k++) {
			if (!(p->dom0_use & uses[k].bit) ||
			    (uses[k].bit == DOM0_MAYBE_ROOTFS && (p->dom0_use & DOM0_ROOTFS)))
				continue;
			fputs(uf ? "" : ",", f);
			uf = false;
			json_str(f, uses[k].name);
		}
		fputc(']', f);
	}
	json_key(f, "verdict", &first);
	fputc('{', f);
	json_opt(f, "kind", verdict_word(v->kind), &vf);
	json_key(f, "with", &vf);
	json_names(f, ds, v->with, v->nwith, false);
	json_opt(f, "reason", v->reason, &vf);
	fputs("}}", f);
}

void out_json(FILE *f, const struct devset *ds, const struct verdict *v,
	      const struct doctor *doc, bool dom0)
{
	fprintf(f, "{\"dom0\":%s,\"devices\":[", dom0 ? "true" : "false");
	for (size_t i = 0; i < ds->n; i++) {
		fputs(i ? ",\n" : "\n", f);
		json_dev(f, ds, i, &v[i], &doc[i]);
	}
	fputs("\n]}\n", f);
}

static void check_reset(FILE *f, const struct devset *ds, size_t i, const struct verdict *v)
{
	const struct pci_caps *c = &ds->d[i].caps;
	const struct reset_info *r = &v->reset;
	char buf[128];

	if (r->caps_known)
		fprintf(f, "Reset: PCIe FLR %s; AF FLR %s; PM reset %s.\n",
			c->pcie_flr ? "yes" : c->has_pcie ? "no (DevCap)" : "n/a (not PCIe)",
			c->af_flr ? "yes" : c->has_af ? "no" : "n/a (no AF capability)",
			r->methods & RESET_PM ? "yes (NoSoftRst clear)" :
			c->has_pm ? "no (NoSoftRst set)" : "n/a (no PM capability)");
	if (r->port >= 0) {
		fprintf(f, "A %s reset through %s is possible", r->methods & RESET_SLOT ?
			"slot or secondary bus" : "secondary bus", ds->d[r->port].name);
		if (r->nvictims) {
			fputs("; it also resets", f);
			for (size_t j = 0; j < r->nvictims; j++)
				fprintf(f, "%s %s", j ? "," : "", ds->d[r->victims[j]].name);
		}
		fputs(".\n", f);
	} else {
		fputs("No bus reset: the device sits on a root bus or is a bridge.\n", f);
	}
	if (r->kernel_known) {
		reset_names(r->kernel, buf, sizeof(buf));
		fprintf(f, "The kernel offers: %s.\n", buf);
	}
}

static void check_doctor(FILE *f, const struct devset *ds, size_t i, const struct doctor *d)
{
	const struct pdev *p = &ds->d[i];

	if (d->reset_method_known) {
		fputs("Kernel reset methods (reset_method, in order, list as read):", f);
		for (size_t k = 0; k < d->nreset; k++)
			fprintf(f, " %s", esc(d->reset_order[k]));
		fputs(d->nreset ? ".\n" : " none: the file is empty, reset is disabled.\n", f);
	} else if (d->reset_method_hidden) {
		fputs("Kernel reset methods: none: no reset_method file, while other devices have "
		      "one: the kernel found no method for it and hides the file.\n", f);
	}
	switch (d->bus) {
	case BUSFB_DISABLED:
		fputs("pciback resets nothing: an admin disabled reset (empty reset_method).\n", f);
		break;
	case BUSFB_NOT_NEEDED:
		fprintf(f, "pciback resets the function alone, first with %s%s.\n", d->function_method,
			d->reset_method_known ? "" : " (no reset_method file: from config space)");
		break;
	case BUSFB_NO_BUS:
		fputs("No method resets the function alone, and no bus reset exists: "
		      "the device is not reset between guests.\n", f);
		break;
	case BUSFB_POSSIBLE:
	case BUSFB_BLOCKED:
		fprintf(f, "No method resets the function alone: pciback's do_flr falls back to "
			"a slot or secondary bus reset through %s, ", ds->d[d->port].name);
		if (d->bus == BUSFB_POSSIBLE)
			fputs(d->nsibs ? "possible: every other device below it is on pciback and "
				"unused:" : "possible: no other device is below it.\n", f);
		else
			fputs("blocked: it needs every other device below it on pciback and "
			      "unused:", f);
		for (size_t k = 0; k < d->nsibs; k++)
			fprintf(f, "%s %s (%s)", k ? "," : "", ds->d[d->sibs[k].idx].name,
				d->sibs[k].holder);
		if (d->nsibs)
			fputs(".\n", f);
		if (d->reset_method_known)
			fputs("If an admin wrote this reset_method, do_flr does not fall back "
			      "to a bus reset (the kernel does not tell).\n", f);
		break;
	}
	if (d->do_flr == 1)
		fputs("pciback do_flr: present (dom0kit kernel): pciback resets the device "
		      "when a guest gets it.\n", f);
	else if (d->do_flr == 0)
		fputs("pciback do_flr: absent (mainline kernel): libxl logs \"The kernel doesn't "
		      "support reset from sysfs\" and does not reset the device.\n", f);
	else
		fputs("pciback do_flr: unknown, pciback is not loaded.\n", f);
	if (d->regions_source[0]) {
		if (!strcmp(d->regions_source, "IVRS"))
			fputs("Reserved regions (ACPI IVRS table, its IVMD blocks):", f);
		else
			fprintf(f, "Reserved regions (ACPI DMAR table %s%s):", d->regions_source,
				strcmp(d->regions_source, "RMAD") ? "" : ", as Xen leaves it to dom0");
		for (size_t k = 0; k < d->nregions; k++)
			fprintf(f, "%s 0x%llx-0x%llx %s", k ? "," : "", d->regions[k].start,
				d->regions[k].end, esc(d->regions[k].type));
		fputs(d->nregions ? ".\n" : " none.\n", f);
	} else if (d->iommu_group[0] && d->regions_known) {
		fprintf(f, "IOMMU group %s, reserved regions:", esc(d->iommu_group));
		for (size_t k = 0; k < d->nregions; k++)
			fprintf(f, "%s 0x%llx-0x%llx %s", k ? "," : "", d->regions[k].start,
				d->regions[k].end, esc(d->regions[k].type));
		fputs(d->nregions ? ".\n" : " none.\n", f);
	} else if (!d->iommu_group[0]) {
		fputs("IOMMU group: none (no iommu_group link; no IOMMU, or not in sysfs).\n", f);
	}
	if (d->rmrr)
		fputs("Warning: RMRR (a direct or direct-relaxable region): firmware DMAs to "
		      "that memory, Xen keeps it identity-mapped in whichever domain holds the "
		      "device and refuses the assignment under rdm_policy=strict (xl's default) "
		      "when it clashes with guest memory; rdm_policy=relaxed accepts it.\n", f);
	if (d->msix == MSIX_SHARED)
		fprintf(f, "Warning: MSI-X table or PBA shares a 4 KiB page with other registers "
			"(%s): Xen cannot pass that through safely.\n", d->msix_why);
	else if (d->msix == MSIX_UNKNOWN)
		fprintf(f, "MSI-X: cannot tell whether its pages are shared: %s.\n", d->msix_why);
	else if (d->msix == MSIX_OK)
		fprintf(f, "MSI-X: %s.\n", d->msix_why);
	if (d->permissive == 1 && pdev_is_pciback(p))
		fputs("Permissive: on (pciback/permissive lists it): the guest may write any "
		      "config space register.\n", f);
	else if (d->permissive == 1)
		fputs("Permissive: listed in pciback/permissive, but pciback does not own the "
		      "device, so it has no effect now.\n", f);
	else if (d->permissive == 0)
		fputs("Permissive: off.\n", f);
}

void out_check(FILE *f, const char *sysfs_root, const struct devset *ds, size_t i,
	       const struct verdict *v, const struct doctor *doc)
{
	const struct pdev *p = &ds->d[i];
	char name[256], path[256], use[64];

	describe(p, name, sizeof(name));
	topo_path(ds, i, path, sizeof(path));
	fprintf(f, "%s: %s%s%s [%04x:%04x], PCI path %s.\n", p->name,
		p->class_name[0] ? esc(p->class_name) : "", p->class_name[0] ? ", " : "",
		name, p->caps.vendor, p->caps.device, path);
	fprintf(f, "Driver: %s%s.\n", p->driver[0] ? esc(p->driver) : "none",
		pdev_is_pciback(p) ? " (owned by xen-pciback)" : "");
	check_reset(f, ds, i, v);
	check_doctor(f, ds, i, doc);
	for (int k = p->parent; k >= 0; k = ds->d[k].parent)
		fprintf(f, "Upstream %s (%s): ACS %s.\n", ds->d[k].name,
			ds->d[k].caps.has_pcie ? pcie_type_name(ds->d[k].caps.pcie_type) : "PCI bridge",
			iso_acs_enabled(ds, (size_t)k) ? "isolates" : "does not isolate");
	fprintf(f, "Verdict: %s: %s.\n",
		v->kind == V_ALONE ? "assignable alone" :
		v->kind == V_TOGETHER ? "assignable only together with others" :
		v->kind == V_NO ? "not safely assignable" : "unknown", v->reason);
	if (p->dom0_use & ~DOM0_MAYBE_ROOTFS) {
		inuse_names(p->dom0_use, use, sizeof(use));
		fprintf(f, "Warning: dom0 uses this device for its %s; assign refuses it without --force.\n", use);
	}
	if ((p->dom0_use & DOM0_MAYBE_ROOTFS) && !(p->dom0_use & DOM0_ROOTFS))
		fprintf(f, "Warning: dom0 may use this device for its root filesystem (cannot tell "
			"which device does: %s); assign refuses it without --force.\n",
			ds->root_unknown);
	if (v->kind == V_ALONE || v->kind == V_TOGETHER) {
		fprintf(f, "To do: xen-passthrough assign %s --persist", p->name);
		fputs(v->nwith ? " (moves all of them to pciback), then add to the guest:\n  " :
		      ", then add to the guest:\n  ", f);
		out_xl(f, sysfs_root, ds, i, v, doc, false);
	} else if (v->kind == V_NO) {
		fputs("To do: keep it in dom0; a guest needs another device or an "
		      "emulated one.\n", f);
	} else {
		fputs("To do: run this check as root.\n", f);
	}
}

/* "0xa-0xb direct, ..." for the RMRR-like regions of d. */
static void rmrr_list(const struct doctor *d, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t k = 0; k < d->nregions && len < size; k++) {
		if (strcmp(d->regions[k].type, "direct") &&
		    strcmp(d->regions[k].type, "direct-relaxable") &&
		    strcmp(d->regions[k].type, "rmrr") && strcmp(d->regions[k].type, "ivmd"))
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s0x%llx-0x%llx %s",
					len ? ", " : "", d->regions[k].start, d->regions[k].end,
					esc(d->regions[k].type));
	}
}

void out_xl(FILE *f, const char *sysfs_root, const struct devset *ds, size_t i,
	    const struct verdict *v, const struct doctor *doc_i, bool notes)
{
	size_t n, *m = verdict_members(v, i, &n);
	char list[512];

	fputs("pci = [ ", f);
	for (size_t j = 0; j < n; j++) {
		const struct pdev *p = &ds->d[m[j]];
		bool usb = (p->caps.class >> 8) == 0x0c03, relaxed;
		struct doctor own;
		const struct doctor *d = doc_i && m[j] == i ? doc_i : &own;

		if (d == &own)
			doctor_regions(sysfs_root, ds, m[j], &own);
		/* Xen refuses an RMRR that clashes with guest memory under
		 * rdm_policy=strict, xl's default. Unknown regions: USB host
		 * controllers are the usual owners of RMRRs. */
		relaxed = d->rmrr || (!d->regions_known && usb);
		if (notes && d->rmrr) {
			rmrr_list(d, list, sizeof(list));
			xp_note("%s has an RMRR (%s): rdm_policy=relaxed lets xl accept it where "
				"it clashes with the guest's memory", p->name, list);
		}
		fprintf(f, "%s'%s%s'", j ? ", " : "", p->name,
			relaxed ? ",rdm_policy=relaxed" : "");
	}
	fputs(" ]\n", f);
	free(m);
}
