/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The device set: config space through libpci plus what sysfs tells. */
#ifndef XP_DEVICES_H
#define XP_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "caps.h"
#include "options.h"
#include "util.h"

#define DOM0_ROOTFS 0x1
#define DOM0_CONSOLE 0x2
#define DOM0_NETWORK 0x4
/* The root filesystem's device is unknown (devset.root_unknown says why)
 * and this one has a disk below it or is a storage controller. */
#define DOM0_MAYBE_ROOTFS 0x8

struct pdev {
	struct bdf bdf;
	char name[BDF_STRLEN];
	uint8_t cfg[CFG_SIZE];
	struct pci_caps caps;
	char vendor_name[96], device_name[128], class_name[64];
	char driver[64];	/* "" when no driver is bound */
	char kernel_reset[128];	/* sysfs reset_method, "" if absent */
	bool has_kernel_reset;
	bool boot_vga;
	char *syspath;		/* canonical sysfs path below the root, or NULL */
	int parent;		/* index of the upstream bridge, -1 on a root bus */
	unsigned int dom0_use;	/* DOM0_* */
};

struct devset {
	struct pdev *d;
	size_t n, cap;
	char *root_unknown;	/* why the root filesystem's device is unknown, or NULL */
	bool reset_method_attr;	/* some device has reset_method: the kernel has it */
};

/* Load every device (libpci dump or live access); 0 or -1 after xp_err. */
int devset_load(const struct options *o, struct devset *ds);
/* Add one device from raw config bytes (tests and fuzzers use this). */
struct pdev *devset_add(struct devset *ds, const struct bdf *b,
			const uint8_t *cfg, size_t len);
/* Fill driver, reset_method, boot_vga, syspath from the sysfs root. */
void devset_read_sysfs(const char *sysfs_root, struct devset *ds);
void devset_sort(struct devset *ds);
int devset_find(const struct devset *ds, const struct bdf *b);
void devset_free(struct devset *ds);
bool pdev_is_pciback(const struct pdev *p);

#endif
