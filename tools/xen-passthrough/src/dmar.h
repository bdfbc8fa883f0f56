/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RMRRs from ACPI's DMAR table. In dom0 Xen owns the IOMMU: Linux makes
 * no IOMMU groups, so their reserved regions are missing, and Xen leaves
 * the table to dom0 with its signature changed to RMAD (so that dom0 does
 * not use it). An RMRR names its devices by device scopes: a start bus and
 * a path of dev.fn hops, each hop but the last a bridge whose secondary
 * bus the next hop is on; a scope of type "PCI sub-hierarchy" covers the
 * bridge and everything below it.
 */
#ifndef XP_DMAR_H
#define XP_DMAR_H

#include <stddef.h>
#include <stdint.h>

#include "devices.h"

struct dmar_rmrr {
	unsigned long long base, limit;
};

/*
 * The RMRRs of table tbl (len bytes, "DMAR" or "RMAD") whose scopes name
 * device i of ds: up to max in out, their number (which may exceed max)
 * returned; -1 with the reason in why when the table is malformed (every
 * structure is bounds-checked before it is read).
 */
int dmar_rmrrs(const uint8_t *tbl, size_t len, const struct devset *ds, size_t i,
	       struct dmar_rmrr *out, size_t max, char *why, size_t whysize);

#endif
