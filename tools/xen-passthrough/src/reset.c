// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "reset.h"
#include "topology.h"

static const struct {
	unsigned int bit;
	const char *name;
} methods[] = {
	{ RESET_DEVSPEC, "device_specific" }, { RESET_ACPI, "acpi" },
	{ RESET_FLR, "flr" },		      { RESET_AF_FLR, "af_flr" },
	{ RESET_PM, "pm" },		      { RESET_SLOT, "slot" },
	{ RESET_BUS, "bus" },		      { RESET_CXL_BUS, "cxl_bus" },
};

unsigned int reset_parse_kernel(const char *s)
{
	unsigned int m = 0;

	while (*s) {
		size_t n;

		s += strspn(s, " \t\n");
		n = strcspn(s, " \t\n");
		for (size_t i = 0; n && i < ARRAY_SIZE(methods); i++)
			if (strlen(methods[i].name) == n &&
			    !strncmp(methods[i].name, s, n))
				m |= methods[i].bit;
		s += n;
	}
	return m;
}

void reset_names(unsigned int m, char *buf, size_t size)
{
	size_t len = 0;

	if (!size)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(methods); i++) {
		if (!(m & methods[i].bit))
			continue;
		len += (size_t)snprintf(buf + len, len < size ? size - len : 0,
					"%s%s", len ? "," : "", methods[i].name);
		if (len >= size)
			return;
	}
	if (!len)
		strlcpy0(buf, "none", size);
}

void reset_analyse(const struct devset *ds, size_t i, struct reset_info *r)
{
	const struct pdev *p = &ds->d[i];
	const struct pci_caps *c = &p->caps;

	memset(r, 0, sizeof(*r));
	r->port = -1;
	r->caps_known = c->cfg_len >= 256;
	if (p->has_kernel_reset) {
		r->kernel_known = true;
		r->kernel = reset_parse_kernel(p->kernel_reset);
	} else if (ds->reset_method_attr) {
		r->kernel_known = r->kernel_hidden = true;
	}
	if (c->pcie_flr)
		r->methods |= RESET_FLR;
	if (c->af_flr)
		r->methods |= RESET_AF_FLR;
	if (c->has_pm && !c->pm_nosoftrst)
		r->methods |= RESET_PM;
	/* Linux: no bus reset for bridges or devices on a root bus. */
	if (p->parent < 0 || caps_is_bridge(c))
		return;
	r->port = p->parent;
	r->methods |= RESET_BUS;
	{
		const struct pci_caps *pc = &ds->d[p->parent].caps;

		if (pc->has_pcie && pc->slot_implemented && pc->slot_hotplug &&
		    pc->slot_power)
			r->methods |= RESET_SLOT;
	}
	r->victims = xcalloc(ds->n, sizeof(*r->victims));
	for (size_t j = 0; j < ds->n; j++)
		if (j != i && topo_is_below(ds, j, (size_t)p->parent))
			r->victims[r->nvictims++] = j;
}

void reset_free(struct reset_info *r)
{
	free(r->victims);
	r->victims = NULL;
	r->nvictims = 0;
}

unsigned int reset_all(const struct reset_info *r)
{
	return (r->kernel_hidden ? r->methods & ~RESET_FUNCTION : r->methods) | r->kernel;
}

bool reset_has_function_reset(const struct reset_info *r)
{
	return reset_all(r) & RESET_FUNCTION;
}
