/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Decoding of one device's config space: header, capabilities, ACS. */
#ifndef XP_CAPS_H
#define XP_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFG_SIZE 4096

/* PCIe device/port type (PCIe cap flags bits 7:4). */
enum pcie_type {
	PCIE_ENDPOINT = 0x0,
	PCIE_LEG_END = 0x1,
	PCIE_ROOT_PORT = 0x4,
	PCIE_UPSTREAM = 0x5,
	PCIE_DOWNSTREAM = 0x6,
	PCIE_PCI_BRIDGE = 0x7,
	PCIE_PCIE_BRIDGE = 0x8,
	PCIE_RC_END = 0x9,
	PCIE_RC_EC = 0xa,
};

#define ACS_SV 0x0001
#define ACS_TB 0x0002
#define ACS_RR 0x0004
#define ACS_CR 0x0008
#define ACS_UF 0x0010
#define ACS_EC 0x0020
#define ACS_DT 0x0040
/* What Linux requires for isolation (REQ_ACS_FLAGS in drivers/pci). */
#define ACS_REQUIRED (ACS_SV | ACS_RR | ACS_CR | ACS_UF)

struct pci_caps {
	uint16_t vendor, device;
	uint32_t class;		/* class << 16 | subclass << 8 | prog-if */
	uint8_t hdr_type;	/* 0 normal, 1 bridge, 2 cardbus */
	bool multifunction;
	uint8_t sec_bus, sub_bus; /* bridges only */
	size_t cfg_len;		/* bytes of config space that were readable */

	bool has_pm;
	bool pm_nosoftrst;	/* PMCSR bit 3: D3hot->D0 does not reset */
	bool has_pcie;
	uint8_t pcie_type;
	bool pcie_flr;		/* DevCap bit 28 */
	bool slot_implemented;
	bool slot_hotplug;	/* SlotCap HPC */
	bool slot_power;	/* SlotCap PCC */
	bool has_af;
	bool af_flr;		/* AF cap: TP and FLR */
	bool has_acs;
	uint16_t acs_cap, acs_ctrl;
	bool has_msix;
	unsigned int msix_vectors;	/* table size: Message Control bits 10:0, + 1 */
	uint8_t msix_table_bir, msix_pba_bir;	/* BAR indicator, 0-5 (6, 7 reserved) */
	uint32_t msix_table_off, msix_pba_off;	/* offsets in those BARs */
	bool ext_readable;	/* extended config space (>= 256 bytes) read */
	unsigned int ncaps;	/* capabilities found, for diagnostics */
};

/* Decode cfg[0..len); never reads past len. Returns false if len < 64. */
bool caps_parse(const uint8_t *cfg, size_t len, struct pci_caps *out);
bool caps_is_bridge(const struct pci_caps *c);
/* Linux's pci_acs_flags_enabled(): flags the device lacks count as on. */
bool caps_acs_enabled(const struct pci_caps *c, uint16_t flags);
const char *pcie_type_name(uint8_t type);

#endif
