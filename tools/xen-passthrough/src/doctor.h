/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The passthrough doctor: per device, what the kernel and Xen will really
 * do with it, from sysfs and config space: the reset pciback's do_flr
 * performs and whom a bus reset would hit, RMRR-like reserved regions of
 * its IOMMU group, an MSI-X table or PBA sharing a 4 KiB page with other
 * registers, and pciback's permissive mode.
 */
#ifndef XP_DOCTOR_H
#define XP_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "devices.h"
#include "guests.h"
#include "options.h"
#include "reset.h"
#include "xenstore.h"

enum bus_fallback {
	BUSFB_NOT_NEEDED,	/* a method of the list resets the function alone */
	BUSFB_DISABLED,		/* reset_method is empty: no reset at all */
	BUSFB_NO_BUS,		/* root bus or bridge: no bus reset exists */
	BUSFB_POSSIBLE,		/* every other device below the port is free pciback */
	BUSFB_BLOCKED,		/* some other device below the port is not */
};

struct sibling {
	size_t idx;
	bool blocks;
	char driver[64];	/* "" when none */
	bool guest;		/* a guest domain holds it */
	unsigned int domid;
	char domname[64];
	char holder[384];	/* in words: "driver snd_hda_intel", ... */
};

#define MAX_RESET_ORDER 8
#define MAX_REGIONS 16

struct region {
	unsigned long long start, end;
	char type[24];
};

enum msix_state { MSIX_NONE, MSIX_OK, MSIX_SHARED, MSIX_UNKNOWN };

struct doctor {
	/* Reset: the kernel's reset_method as read, in its order. */
	bool reset_method_known;
	/* No reset_method file while other devices have one: the kernel
	 * found no method for it (it hides the file then). */
	bool reset_method_hidden;
	char reset_order[MAX_RESET_ORDER][16];
	size_t nreset;
	const char *function_method;	/* first method resetting the function alone */
	enum bus_fallback bus;
	int port;			/* bridge of the bus reset, -1 */
	struct sibling *sibs;
	size_t nsibs;
	int do_flr;			/* pciback/do_flr: 1 there, 0 absent, -1 no pciback */
	/* IOMMU group and its reserved regions; without a group (dom0 under
	 * Xen), the RMRRs of ACPI's DMAR table (type "rmrr") or the IVMD
	 * blocks of its IVRS table (type "ivmd"). */
	char iommu_group[32];		/* "" when the device has none */
	bool regions_known;
	char regions_source[8];		/* "" (the group), "DMAR", "RMAD" or "IVRS" */
	struct region regions[MAX_REGIONS];
	size_t nregions;
	bool rmrr;			/* a "direct", "direct-relaxable", "rmrr" or "ivmd" region */
	/* MSI-X. */
	enum msix_state msix;
	unsigned long long bar_size[6];	/* from resource; 0 unknown or unused */
	char msix_why[320];
	/* pciback/permissive: 1 lists it, 0 does not, -1 no such file. */
	int permissive;
};

/*
 * Analyse device i; x is an open xenstore to ask which guest holds a
 * sibling, or NULL when no guest can (no Xen) or it cannot be read
 * (xs_why says why).
 */
void doctor_analyse(const struct options *o, const struct devset *ds, size_t i,
		    const struct reset_info *r, struct xs *x, const char *xs_why,
		    struct doctor *d);
void doctor_free(struct doctor *d);
/* Only the IOMMU group and its reserved regions (iommu_group, regions, rmrr). */
void doctor_regions(const char *sysfs_root, const struct devset *ds, size_t i,
		    struct doctor *d);
const char *bus_fallback_word(enum bus_fallback b);
const char *msix_word(enum msix_state m);
/* Parse one reserved_regions line "0xSTART 0xEND TYPE"; false if malformed. */
bool doctor_parse_region(const char *line, struct region *out);
/* Evaluate the MSI-X page rule on c with BAR sizes bar (0 = unknown). */
enum msix_state doctor_msix(const struct pci_caps *c, const unsigned long long bar[6],
			    char *why, size_t size);

#endif
