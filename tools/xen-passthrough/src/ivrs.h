/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * AMD's RMRRs: the IVMD blocks of ACPI's IVRS table (AMD I/O
 * Virtualization Technology (IOMMU) Specification, "IVMD"). Xen
 * (drivers/passthrough/amd/iommu_acpi.c) turns each into a unity map or
 * exclusion range of the devices it names and reports them as reserved
 * device memory, as it does RMRRs; it does not rename the table, so a PV
 * dom0 reads it as IVRS (a PVH dom0 sees neither IVRS nor DMAR).
 *
 * Layout (little-endian): a 48-byte header (ACPI's 36, IVinfo u32, 8
 * reserved), then blocks: type u8, flags u8, length u16, device id u16
 * (bus << 8 | dev << 3 | fn). IVHD blocks (0x10, 0x11, 0x40) are skipped
 * by their length. An IVMD block is 32 bytes: the 6 above, aux u16 (the
 * last device id of type 0x22), PCI segment u16 (reserved, so 0, before
 * the specification's multi-segment revision), 6 reserved, start u64,
 * length u64. Type 0x20 names every device, 0x21 one device, 0x22 the
 * devices from its device id to aux, 0x23 the devices of one IOMMU (taken
 * as every device: the tool does not map devices to IOMMUs).
 */
#ifndef XP_IVRS_H
#define XP_IVRS_H

#include <stddef.h>
#include <stdint.h>

#include "devices.h"
#include "dmar.h"

/*
 * The IVMD ranges of table tbl (len bytes, "IVRS") that name device i of
 * ds, as dmar_rmrrs() returns RMRRs: up to max in out, their number, -1
 * with the reason in why when the table is malformed.
 */
int ivrs_ivmds(const uint8_t *tbl, size_t len, const struct devset *ds, size_t i,
	       struct dmar_rmrr *out, size_t max, char *why, size_t whysize);

#endif
