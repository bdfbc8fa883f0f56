// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "topology.h"
#include "verdict.h"

bool iso_acs_enabled(const struct devset *ds, size_t k)
{
	const struct pci_caps *c = &ds->d[k].caps;

	if (!c->has_pcie)
		return false;
	switch (c->pcie_type) {
	case PCIE_PCI_BRIDGE:
		return false;
	case PCIE_DOWNSTREAM:
	case PCIE_ROOT_PORT:
		return caps_acs_enabled(c, ACS_REQUIRED);
	case PCIE_ENDPOINT:
	case PCIE_RC_END:
		if (c->multifunction)
			return caps_acs_enabled(c, ACS_REQUIRED);
		return true;
	default:
		return true;
	}
}

static bool acs_path_enabled(const struct devset *ds, int k)
{
	size_t steps = 0;

	while (k >= 0 && steps++ <= ds->n) {
		if (!iso_acs_enabled(ds, (size_t)k))
			return false;
		k = ds->d[k].parent;
	}
	return true;
}

struct set {
	size_t *v;
	size_t n;
	bool *in;
};

static void set_add(struct set *s, size_t k)
{
	if (!s->in[k]) {
		s->in[k] = true;
		s->v[s->n++] = k;
	}
}

static void add_subtree(const struct devset *ds, struct set *s, size_t top)
{
	set_add(s, top);
	for (size_t j = 0; j < ds->n; j++)
		if (topo_is_below(ds, j, top))
			set_add(s, j);
}

/* Rules of Linux's pci_device_group(), applied to one member. */
static void expand(const struct devset *ds, size_t k, struct set *s,
		   struct verdict *v, bool self)
{
	const struct pdev *p = &ds->d[k];
	int b, top = -1, alias = -1;
	size_t steps = 0;

	if (p->caps.multifunction && !iso_acs_enabled(ds, k)) {
		for (size_t j = 0; j < ds->n; j++) {
			const struct bdf *o = &ds->d[j].bdf;

			if (j != k && o->dom == p->bdf.dom && o->bus == p->bdf.bus &&
			    o->dev == p->bdf.dev && !iso_acs_enabled(ds, j)) {
				set_add(s, j);
				if (self)
					v->mf_no_acs = true;
			}
		}
	}
	for (b = p->parent; b >= 0 && steps++ <= ds->n; b = ds->d[b].parent) {
		const struct pci_caps *c = &ds->d[b].caps;

		if (!c->has_pcie || c->pcie_type == PCIE_PCI_BRIDGE)
			alias = b;
		if (!acs_path_enabled(ds, b))
			top = b;
	}
	if (alias >= 0)
		add_subtree(ds, s, (size_t)alias);
	if (top >= 0)
		add_subtree(ds, s, (size_t)top);
	if (self) {
		v->alias_bridge = alias;
		v->non_acs_port = top;
	}
}

static bool is_endpoint(const struct pdev *p)
{
	return !caps_is_bridge(&p->caps);
}

/* Chipset bridges with a type 0 header (host, ISA, ...): never for guests. */
static bool is_chipset(const struct pdev *p)
{
	return is_endpoint(p) && (p->caps.class >> 16) == 0x06;
}

__attribute__((format(printf, 2, 3)))
static void say(struct verdict *v, const char *fmt, ...)
{
	size_t len = strlen(v->reason);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->reason + len, sizeof(v->reason) - len, fmt, ap);
	va_end(ap);
}

static void list_names(const struct devset *ds, const struct set *s, size_t self,
		       char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t j = 0; j < s->n && len < size; j++)
		if (s->v[j] != self && is_endpoint(&ds->d[s->v[j]]))
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
						len ? ", " : "", ds->d[s->v[j]].name);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static void decide(const struct devset *ds, size_t i, struct set *s,
		   struct verdict *v)
{
	const struct pdev *p = &ds->d[i];
	char names[384];

	/* What a read from a function that is not there returns. */
	if (p->caps.vendor == 0xffff) {
		v->kind = V_NO;
		say(v, "its config space reads all ones (vendor ffff): it fell off "
		       "the bus, is powered off or is in a failed reset");
		return;
	}
	if (p->caps.vendor == 0x0000) {
		v->kind = V_NO;
		say(v, "it answers with vendor ID 0000, which no device has: its "
		       "config space is not readable as it should be");
		return;
	}
	if (caps_is_bridge(&p->caps) || is_chipset(p)) {
		v->kind = V_NO;
		say(v, "it is a %s, part of the fabric dom0 itself needs",
		    p->caps.has_pcie && caps_is_bridge(&p->caps) ?
			    pcie_type_name(p->caps.pcie_type) :
			    p->class_name[0] ? esc(p->class_name) : "bridge");
		return;
	}
	if (!v->reset.caps_known && !v->reset.kernel_known) {
		v->kind = V_UNKNOWN;
		say(v, "only %zu bytes of config space are readable; run as root",
		    p->caps.cfg_len);
		return;
	}
	if (!reset_has_function_reset(&v->reset)) {
		if (!(reset_all(&v->reset) & (RESET_BUS | RESET_SLOT)) && v->reset.kernel_hidden) {
			v->kind = V_NO;
			say(v, "it cannot be reset: the kernel found no reset method for it (no "
			       "reset_method file, while other devices have one), and there is no "
			       "bus reset on a root bus");
			return;
		}
		if (!(reset_all(&v->reset) & (RESET_BUS | RESET_SLOT))) {
			v->kind = V_NO;
			say(v, "it cannot be reset: no FLR, no AF FLR, %s, and no bus "
			       "reset on a root bus", p->caps.has_pm ?
			    "NoSoftRst blocks a PM reset" : "no PM capability");
			return;
		}
		for (size_t j = 0; j < v->reset.nvictims; j++)
			set_add(s, v->reset.victims[j]);
	}
	for (size_t j = 0; j < s->n; j++) {
		if (is_chipset(&ds->d[s->v[j]])) {
			v->kind = V_NO;
			say(v, "it can only go together with %s, a chipset bridge "
			       "dom0 needs", ds->d[s->v[j]].name);
			return;
		}
	}
	list_names(ds, s, i, names, sizeof(names));
	v->kind = names[0] ? V_TOGETHER : V_ALONE;
	if (v->mf_no_acs)
		say(v, "multi-function device without ACS; ");
	if (v->alias_bridge >= 0)
		say(v, "behind bridge %s, all devices below it share one "
		       "requester ID; ", ds->d[v->alias_bridge].name);
	if (v->non_acs_port >= 0)
		say(v, "%s has no ACS, devices below it can reach each other; ",
		    ds->d[v->non_acs_port].name);
	if (!reset_has_function_reset(&v->reset))
		say(v, "no function-level reset, only a bus reset through %s; ",
		    ds->d[v->reset.port].name);
	if (v->kind == V_ALONE && v->non_acs_port >= 0)
		say(v, "but it is the only device there");
	else if (v->kind == V_ALONE)
		say(v, "isolated and resettable on its own");
	else
		say(v, "must go together with %s", names);
	v->with = xcalloc(s->n, sizeof(*v->with));
	for (size_t j = 0; j < s->n; j++)
		if (s->v[j] != i && is_endpoint(&ds->d[s->v[j]]))
			v->with[v->nwith++] = s->v[j];
	qsort(v->with, v->nwith, sizeof(*v->with), cmp_size);
}

void verdict_compute(const struct devset *ds, size_t i, struct verdict *v)
{
	struct set s;

	memset(v, 0, sizeof(*v));
	v->non_acs_port = -1;
	v->alias_bridge = -1;
	reset_analyse(ds, i, &v->reset);
	s.v = xcalloc(ds->n, sizeof(*s.v));
	s.in = xcalloc(ds->n, sizeof(*s.in));
	s.n = 0;
	set_add(&s, i);
	expand(ds, i, &s, v, true);
	for (size_t j = 1; j < s.n; j++) /* closure: groups are transitive */
		expand(ds, s.v[j], &s, v, false);
	v->group = xcalloc(s.n, sizeof(*v->group));
	memcpy(v->group, s.v, s.n * sizeof(*s.v));
	v->ngroup = s.n;
	qsort(v->group, v->ngroup, sizeof(*v->group), cmp_size);
	decide(ds, i, &s, v);
	free(s.v);
	free(s.in);
}

void verdict_free(struct verdict *v)
{
	reset_free(&v->reset);
	free(v->group);
	free(v->with);
	v->group = v->with = NULL;
}

const char *verdict_word(enum verdict_kind k)
{
	switch (k) {
	case V_ALONE: return "alone";
	case V_TOGETHER: return "together";
	case V_NO: return "no";
	default: return "unknown";
	}
}

size_t *verdict_members(const struct verdict *v, size_t i, size_t *n)
{
	size_t *m = xcalloc(v->nwith + 1, sizeof(*m));

	m[0] = i;
	if (v->nwith)
		memcpy(m + 1, v->with, v->nwith * sizeof(*m));
	*n = v->nwith + 1;
	qsort(m, *n, sizeof(*m), cmp_size);
	return m;
}
