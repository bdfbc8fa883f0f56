// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

#include "devices.h"
#include "dumpfile.h"
#include "sysfs.h"

struct pdev *devset_add(struct devset *ds, const struct bdf *b,
			const uint8_t *cfg, size_t len)
{
	struct pdev *p;

	if (ds->n == ds->cap) {
		ds->cap = ds->cap ? ds->cap * 2 : 16;
		ds->d = xrealloc(ds->d, ds->cap, sizeof(*ds->d));
	}
	p = &ds->d[ds->n++];
	memset(p, 0, sizeof(*p));
	p->bdf = *b;
	bdf_fmt(b, p->name, sizeof(p->name));
	if (len > CFG_SIZE)
		len = CFG_SIZE;
	memset(p->cfg, 0xff, sizeof(p->cfg));
	memcpy(p->cfg, cfg, len);
	caps_parse(p->cfg, len, &p->caps);
	/* Linux's pci_scan_slot() marks every function above 0 multi-function,
	 * whatever its header says (QEMU's second e1000 function has the bit
	 * clear), and its IOMMU groups follow that. */
	if (b->fn > 0)
		p->caps.multifunction = true;
	p->parent = -1;
	return p;
}

static PCI_NONRET void pci_fatal(char *msg, ...)
{
	va_list ap;

	fputs(PROG ": libpci: ", stderr);
	va_start(ap, msg);
	vfprintf(stderr, msg, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(XP_EXIT_FAIL);
}

static void pci_quiet(char *msg, ...)
{
	(void)msg;
}

/* Longest prefix of config space libpci will give us. */
static size_t read_cfg(struct pci_dev *dev, uint8_t *buf)
{
	static const int sizes[] = { CFG_SIZE, 256, 64 };

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		if (pci_read_block(dev, 0, buf, sizes[i]))
			return (size_t)sizes[i];
	return 0;
}

static void lookup_names(struct pci_access *pacc, struct pdev *p)
{
	const struct pci_caps *c = &p->caps;
	char *s;

	s = pci_lookup_name(pacc, p->vendor_name, sizeof(p->vendor_name),
			    PCI_LOOKUP_VENDOR | PCI_LOOKUP_NO_NUMBERS, c->vendor);
	if (!s)
		p->vendor_name[0] = '\0';
	s = pci_lookup_name(pacc, p->device_name, sizeof(p->device_name),
			    PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_NUMBERS, c->vendor,
			    c->device);
	if (!s)
		p->device_name[0] = '\0';
	s = pci_lookup_name(pacc, p->class_name, sizeof(p->class_name),
			    PCI_LOOKUP_CLASS | PCI_LOOKUP_NO_NUMBERS,
			    (unsigned int)(c->class >> 8));
	if (!s)
		p->class_name[0] = '\0';
}

static int check_dump(const char *file)
{
	char err[256];
	struct dump d;
	size_t len;
	char *text = rslurp(file[0] == '/' ? "" : ".", &len, "%s", file);

	if (!text) {
		xp_err("cannot read dump file %s: %s", esc(file), xp_strerror(errno));
		return -1;
	}
	if (dump_parse(text, len, &d, err, sizeof(err)) < 0) {
		xp_err("%s: %s", esc(file), err);
		free(text);
		return -1;
	}
	dump_free(&d);
	free(text);
	return 0;
}

struct typecheck {
	const char *root;
	char bad[PATH_MAX];
};

static void check_dev_dir(const char *name, void *arg)
{
	struct typecheck *t = arg;
	char bad[NAME_MAX + 1];

	if (!t->bad[0] &&
	    rcheck_types(t->root, bad, sizeof(bad), "bus/pci/devices/%s", name) == 1)
		snprintf(t->bad, sizeof(t->bad), "%s/bus/pci/devices/%s/%s", t->root,
			 name, bad);
}

/*
 * libpci opens and reads the files of each device directory itself; a FIFO
 * among them (only a fake tree has one) would block it forever.
 */
static int check_sysfs_types(const char *root)
{
	struct typecheck t = { root, "" };

	rlistdir(root, check_dev_dir, &t, "bus/pci/devices");
	if (t.bad[0]) {
		xp_err("%s is not a regular file; this is not a sysfs tree to read", esc(t.bad));
		return -1;
	}
	return 0;
}

int devset_load(const struct options *o, struct devset *ds)
{
	struct pci_access *pacc;
	struct pci_dev *dev;
	char path[PATH_MAX];
	uint8_t *buf;

	if (o->dump && check_dump(o->dump) < 0)
		return -1;
	if (!o->dump && check_sysfs_types(o->sysfs_root) < 0)
		return -1;
	pacc = pci_alloc();
	pacc->error = pci_fatal;
	pacc->warning = pci_quiet;
	pacc->debug = pci_quiet;
	if (o->dump) {
		pacc->method = PCI_ACCESS_DUMP;
		pci_set_param(pacc, "dump.name", (char *)o->dump);
	} else {
		pacc->method = PCI_ACCESS_SYS_BUS_PCI;
		if (!rpath(path, sizeof(path), o->sysfs_root, "bus/pci")) {
			xp_err("sysfs root path too long");
			pci_cleanup(pacc);
			return -1;
		}
		pci_set_param(pacc, "sysfs.path", path);
	}
	pci_init(pacc);
	pci_scan_bus(pacc);
	buf = xcalloc(1, CFG_SIZE);
	for (dev = pacc->devices; dev; dev = dev->next) {
		struct bdf b = { (unsigned int)dev->domain, dev->bus, dev->dev,
				 dev->func };
		size_t len;
		struct pdev *p;

		memset(buf, 0xff, CFG_SIZE);
		len = read_cfg(dev, buf);
		if (len < 64)
			continue;
		p = devset_add(ds, &b, buf, len);
		if (!o->no_names)
			lookup_names(pacc, p);
	}
	free(buf);
	pci_cleanup(pacc);
	devset_sort(ds);
	return 0;
}

static void read_one(const char *root, struct pdev *p)
{
	char buf[PATH_MAX];

	if (rlinkbase(root, p->driver, sizeof(p->driver),
		      "bus/pci/devices/%s/driver", p->name) < 0)
		p->driver[0] = '\0';
	p->has_kernel_reset =
		rread(root, p->kernel_reset, sizeof(p->kernel_reset),
		      "bus/pci/devices/%s/reset_method", p->name) >= 0;
	if (rread(root, buf, sizeof(buf), "bus/pci/devices/%s/boot_vga",
		  p->name) > 0)
		p->boot_vga = buf[0] == '1';
	if (rrealpath(root, buf, sizeof(buf), "bus/pci/devices/%s", p->name) > 0)
		p->syspath = xstrdup(buf);
}

void devset_read_sysfs(const char *sysfs_root, struct devset *ds)
{
	if (!sysfs_root)
		return;
	for (size_t i = 0; i < ds->n; i++) {
		read_one(sysfs_root, &ds->d[i]);
		ds->reset_method_attr |= ds->d[i].has_kernel_reset;
	}
}

static int cmp_bdf(const void *a, const void *b)
{
	const struct bdf *x = &((const struct pdev *)a)->bdf;
	const struct bdf *y = &((const struct pdev *)b)->bdf;
	unsigned long kx = (unsigned long)x->dom << 16 | x->bus << 8 | x->dev << 3 | x->fn;
	unsigned long ky = (unsigned long)y->dom << 16 | y->bus << 8 | y->dev << 3 | y->fn;

	return kx < ky ? -1 : kx > ky;
}

void devset_sort(struct devset *ds)
{
	if (ds->n > 1)
		qsort(ds->d, ds->n, sizeof(*ds->d), cmp_bdf);
}

int devset_find(const struct devset *ds, const struct bdf *b)
{
	for (size_t i = 0; i < ds->n; i++)
		if (bdf_eq(&ds->d[i].bdf, b))
			return (int)i;
	return -1;
}

void devset_free(struct devset *ds)
{
	for (size_t i = 0; i < ds->n; i++)
		free(ds->d[i].syspath);
	free(ds->d);
	free(ds->root_unknown);
	memset(ds, 0, sizeof(*ds));
}

bool pdev_is_pciback(const struct pdev *p)
{
	return !strcmp(p->driver, "pciback") || !strcmp(p->driver, "xen-pciback");
}
