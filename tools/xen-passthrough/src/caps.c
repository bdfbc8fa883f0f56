// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "caps.h"

#define CAP_ID_PM 0x01
#define CAP_ID_EXP 0x10
#define CAP_ID_MSIX 0x11
#define CAP_ID_AF 0x13
#define ECAP_ID_ACS 0x000d

static uint16_t rd16(const uint8_t *cfg, size_t len, size_t off, bool *ok)
{
	if (off + 2 > len) {
		*ok = false;
		return 0xffff;
	}
	return (uint16_t)(cfg[off] | cfg[off + 1] << 8);
}

static uint32_t rd32(const uint8_t *cfg, size_t len, size_t off, bool *ok)
{
	if (off + 4 > len) {
		*ok = false;
		return 0xffffffffu;
	}
	return (uint32_t)cfg[off] | (uint32_t)cfg[off + 1] << 8 |
	       (uint32_t)cfg[off + 2] << 16 | (uint32_t)cfg[off + 3] << 24;
}

static void parse_pm(const uint8_t *cfg, size_t len, size_t pos,
		     struct pci_caps *c)
{
	bool ok = true;
	uint16_t pmcsr = rd16(cfg, len, pos + 4, &ok);

	if (!ok)
		return;
	c->has_pm = true;
	c->pm_nosoftrst = pmcsr & 0x0008;
}

static void parse_exp(const uint8_t *cfg, size_t len, size_t pos,
		      struct pci_caps *c)
{
	bool ok = true;
	uint16_t flags = rd16(cfg, len, pos + 2, &ok);
	uint32_t devcap = rd32(cfg, len, pos + 4, &ok);
	uint32_t slotcap;

	if (!ok)
		return;
	c->has_pcie = true;
	c->pcie_type = (flags >> 4) & 0xf;
	c->pcie_flr = devcap & (1u << 28);
	c->slot_implemented = flags & 0x0100;
	if (c->slot_implemented) {
		slotcap = rd32(cfg, len, pos + 0x14, &ok);
		if (ok) {
			c->slot_power = slotcap & 0x02;
			c->slot_hotplug = slotcap & 0x40;
		}
	}
}

static void parse_af(const uint8_t *cfg, size_t len, size_t pos,
		     struct pci_caps *c)
{
	uint8_t afcap;

	if (pos + 4 > len)
		return;
	afcap = cfg[pos + 3];
	c->has_af = true;
	c->af_flr = (afcap & 0x03) == 0x03; /* TP and FLR, as Linux demands */
}

static void parse_msix(const uint8_t *cfg, size_t len, size_t pos,
		       struct pci_caps *c)
{
	bool ok = true;
	uint16_t ctrl = rd16(cfg, len, pos + 2, &ok);
	uint32_t table = rd32(cfg, len, pos + 4, &ok);
	uint32_t pba = rd32(cfg, len, pos + 8, &ok);

	if (!ok)
		return;
	c->has_msix = true;
	c->msix_vectors = (ctrl & 0x7ffu) + 1;
	c->msix_table_bir = table & 7;
	c->msix_table_off = table & ~7u;
	c->msix_pba_bir = pba & 7;
	c->msix_pba_off = pba & ~7u;
}

static void walk_caps(const uint8_t *cfg, size_t len, struct pci_caps *c)
{
	size_t ptr_off = c->hdr_type == 2 ? 0x14 : 0x34;
	unsigned int ttl = 48; /* as Linux's PCI_FIND_CAP_TTL */
	uint8_t pos;

	if (!(cfg[0x06] & 0x10) || ptr_off >= len)
		return;
	pos = cfg[ptr_off];
	while (ttl-- && pos >= 0x40) {
		size_t p = pos & ~3u;
		uint8_t id;

		if (p + 2 > len || p + 2 > 256)
			break;
		id = cfg[p];
		if (id == 0xff)
			break;
		c->ncaps++;
		if (id == CAP_ID_PM && !c->has_pm)
			parse_pm(cfg, len, p, c);
		else if (id == CAP_ID_EXP && !c->has_pcie)
			parse_exp(cfg, len, p, c);
		else if (id == CAP_ID_AF && !c->has_af)
			parse_af(cfg, len, p, c);
		else if (id == CAP_ID_MSIX && !c->has_msix)
			parse_msix(cfg, len, p, c);
		pos = cfg[p + 1];
	}
}

static void walk_ext_caps(const uint8_t *cfg, size_t len, struct pci_caps *c)
{
	unsigned int ttl = (CFG_SIZE - 256) / 8; /* as Linux */
	size_t pos = 0x100;
	bool ok = true;

	if (len < 0x104)
		return;
	while (ttl--) {
		uint32_t hdr = rd32(cfg, len, pos, &ok);

		if (!ok || hdr == 0 || hdr == 0xffffffffu)
			break;
		c->ncaps++;
		if ((hdr & 0xffff) == ECAP_ID_ACS && !c->has_acs) {
			uint16_t cap = rd16(cfg, len, pos + 4, &ok);
			uint16_t ctrl = rd16(cfg, len, pos + 6, &ok);

			if (!ok)
				break;
			c->has_acs = true;
			c->acs_cap = cap;
			c->acs_ctrl = ctrl;
		}
		pos = (hdr >> 20) & 0xffc;
		if (pos < 0x100)
			break;
	}
}

bool caps_parse(const uint8_t *cfg, size_t len, struct pci_caps *c)
{
	memset(c, 0, sizeof(*c));
	if (!cfg || len < 64)
		return false;
	if (len > CFG_SIZE)
		len = CFG_SIZE;
	c->cfg_len = len;
	c->vendor = (uint16_t)(cfg[0] | cfg[1] << 8);
	c->device = (uint16_t)(cfg[2] | cfg[3] << 8);
	c->class = (uint32_t)cfg[0x0b] << 16 | (uint32_t)cfg[0x0a] << 8 | cfg[0x09];
	c->hdr_type = cfg[0x0e] & 0x7f;
	c->multifunction = cfg[0x0e] & 0x80;
	if (c->hdr_type == 1 || c->hdr_type == 2) {
		c->sec_bus = cfg[0x19];
		c->sub_bus = cfg[0x1a];
	}
	c->ext_readable = len > 256;
	walk_caps(cfg, len, c);
	if (c->has_pcie) /* only PCIe has extended config space */
		walk_ext_caps(cfg, len, c);
	return true;
}

bool caps_is_bridge(const struct pci_caps *c)
{
	return c->hdr_type == 1 || c->hdr_type == 2;
}

bool caps_acs_enabled(const struct pci_caps *c, uint16_t flags)
{
	if (!c->has_acs)
		return false;
	flags &= (uint16_t)(c->acs_cap | ACS_EC);
	return (c->acs_ctrl & flags) == flags;
}

const char *pcie_type_name(uint8_t type)
{
	switch (type) {
	case PCIE_ENDPOINT: return "endpoint";
	case PCIE_LEG_END: return "legacy endpoint";
	case PCIE_ROOT_PORT: return "root port";
	case PCIE_UPSTREAM: return "switch upstream port";
	case PCIE_DOWNSTREAM: return "switch downstream port";
	case PCIE_PCI_BRIDGE: return "PCIe-to-PCI bridge";
	case PCIE_PCIE_BRIDGE: return "PCI-to-PCIe bridge";
	case PCIE_RC_END: return "root complex integrated endpoint";
	case PCIE_RC_EC: return "root complex event collector";
	default: return "PCIe function";
	}
}
