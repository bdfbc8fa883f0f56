// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guests.h"
#include "sysfs.h"

bool xen_running(const struct options *o)
{
	char buf[64];

	if (rexists(o->proc_root, "xen/capabilities"))
		return true;
	return o->sysfs_root && rread(o->sysfs_root, buf, sizeof(buf), "hypervisor/type") >= 0 &&
	       !strcmp(buf, "xen");
}

/* A domain id as xenstore writes it: decimal, below DOMID_FIRST_RESERVED. */
static bool parse_domid(const char *s, unsigned int *id)
{
	unsigned long v = 0;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 5)
		return false;
	v = strtoul(s, NULL, 10);
	if (v >= 0x7ff0)
		return false;
	*id = (unsigned int)v;
	return true;
}

__attribute__((format(printf, 2, 3)))
static void unknown(struct holder *h, const char *fmt, ...)
{
	va_list ap;

	h->state = HOLD_UNKNOWN;
	va_start(ap, fmt);
	vsnprintf(h->why, sizeof(h->why), fmt, ap);
	va_end(ap);
}

/* Domain id is known to xenstore (1), gone (0), or cannot tell (-1). */
static int domain_exists(struct xs *x, unsigned int id, struct holder *h)
{
	char path[64], buf[16];
	int r;

	snprintf(path, sizeof(path), "/local/domain/%u", id);
	r = xs_read(x, path, buf, sizeof(buf));
	if (r >= 0)
		return 1;
	if (r == -ENOENT)
		return 0;
	unknown(h, "%s: reading %s: %s", esc(x->where), path, strerror(-r));
	return -1;
}

/* The record names domain id: a guest, or a stale record. */
static void found(struct xs *x, unsigned int id, struct holder *h)
{
	char path[64];
	int e = domain_exists(x, id, h);

	if (e < 0)
		return;
	if (!e) {
		h->stale = true;
		h->stale_domid = id;
		return;
	}
	h->state = HOLD_GUEST;
	h->domid = id;
	snprintf(path, sizeof(path), "/local/domain/%u/name", id);
	if (xs_read(x, path, h->name, sizeof(h->name)) < 0)
		h->name[0] = '\0';
}

struct list {
	char (*v)[64];
	size_t n;
};

static void add(const char *name, void *arg)
{
	struct list *l = arg;

	if (l->n >= 4096 || strlen(name) >= 64)
		return;
	l->v = xrealloc(l->v, l->n + 1, sizeof(*l->v));
	strcpy(l->v[l->n++], name);
}

/* pciback's backend entries: backend/pci/DOMID/DEVID/dev-N = BDF. */
static void backends(struct xs *x, const struct bdf *b, struct holder *h)
{
	static const char top[] = "/local/domain/0/backend/pci";
	struct list doms = { 0 };
	int r = xs_directory(x, top, add, &doms);

	if (r < 0 && r != -ENOENT)
		unknown(h, "%s: listing %s: %s", esc(x->where), top, strerror(-r));
	for (size_t i = 0; i < doms.n && h->state == HOLD_NONE; i++) {
		struct list devs = { 0 };
		unsigned int id;
		char path[256];

		if (!parse_domid(doms.v[i], &id))
			continue;
		snprintf(path, sizeof(path), "%s/%u", top, id);
		r = xs_directory(x, path, add, &devs);
		if (r < 0 && r != -ENOENT)
			unknown(h, "%s: listing %s: %s", esc(x->where), path, strerror(-r));
		for (size_t j = 0; j < devs.n && h->state == HOLD_NONE; j++) {
			struct list keys = { 0 };
			char dpath[512];

			if (strspn(devs.v[j], "0123456789") != strlen(devs.v[j]))
				continue;
			snprintf(dpath, sizeof(dpath), "%s/%s", path, devs.v[j]);
			r = xs_directory(x, dpath, add, &keys);
			if (r < 0 && r != -ENOENT)
				unknown(h, "%s: listing %s: %s", esc(x->where), dpath, strerror(-r));
			for (size_t k = 0; k < keys.n && h->state == HOLD_NONE; k++) {
				char kpath[600], val[64];
				struct bdf d;

				if (strncmp(keys.v[k], "dev-", 4))
					continue;
				snprintf(kpath, sizeof(kpath), "%s/%s", dpath, keys.v[k]);
				r = xs_read(x, kpath, val, sizeof(val));
				if (r == -ENOENT) /* removed while we looked */
					continue;
				if (r < 0)
					unknown(h, "%s: reading %s: %s", esc(x->where), kpath,
						strerror(-r));
				else if (sscanf(val, "%x:%x:%x.%u", &d.dom, &d.bus, &d.dev, &d.fn) == 4 &&
					 bdf_eq(&d, b))
					found(x, id, h);
			}
			free(keys.v);
		}
		free(devs.v);
	}
	free(doms.v);
}

void guest_holder(struct xs *x, const struct bdf *b, struct holder *h)
{
	char path[64], val[32];
	unsigned int id;
	int r;

	memset(h, 0, sizeof(*h));
	/* libxl's record, "%04x-%02x-%02x-%01x" as its PCI_BDF_XSPATH */
	snprintf(path, sizeof(path), "/libxl/pci/%04x-%02x-%02x-%01x/domid", b->dom, b->bus,
		 b->dev, b->fn);
	r = xs_read(x, path, val, sizeof(val));
	if (r >= 0 && !parse_domid(val, &id)) {
		unknown(h, "%s holds '%s', not a domain id", path, esc(val));
		return;
	}
	if (r >= 0)
		found(x, id, h);
	else if (r != -ENOENT)
		unknown(h, "%s: reading %s: %s", esc(x->where), path, strerror(-r));
	if (h->state == HOLD_NONE)
		backends(x, b, h);
}
