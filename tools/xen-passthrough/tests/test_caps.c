// SPDX-License-Identifier: GPL-2.0-or-later
/* Capability decoding on the recorded/reconstructed dumps, via libpci. */
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "devices.h"
#include "tap.h"

static const struct pci_caps *get(const struct devset *ds, const char *bdf)
{
	struct bdf b;
	int i;

	if (!bdf_parse_full(bdf, strlen(bdf), &b) || (i = devset_find(ds, &b)) < 0) {
		ok(0, "device %s present", bdf);
		exit(1);
	}
	return &ds->d[i].caps;
}

static void synthetic(void)
{
	uint8_t cfg[CFG_SIZE];
	struct pci_caps c;
	bool r;

	memset(cfg, 0, sizeof(cfg));
	cfg[0x06] = 0x10;
	cfg[0x34] = 0x40;
	cfg[0x40] = 0x01;	/* PM pointing to itself: a loop */
	cfg[0x41] = 0x40;
	r = caps_parse(cfg, sizeof(cfg), &c);
	ok(r && c.has_pm && c.ncaps == 48,
	   "capability loop stops after 48 entries (%u)", c.ncaps);
	cfg[0x40] = 0x10;	/* PCIe cap, ext cap chain looping at 0x100 */
	cfg[0x41] = 0;
	cfg[0x100] = 0x0d;
	cfg[0x103] = 0x10;	/* next = 0x100 */
	r = caps_parse(cfg, sizeof(cfg), &c);
	ok(r && c.has_acs && c.ncaps <= 1 + 480,
	   "extended capability loop terminates (%u)", c.ncaps);
	r = caps_parse(cfg, 200, &c);
	ok(r && c.has_pcie && !c.has_acs && !c.ext_readable,
	   "256-byte limit: no extended capabilities read from short config");
	cfg[0x34] = 0xfe;	/* pointer at the very end of the header space */
	r = caps_parse(cfg, 256, &c);
	ok(r && !c.has_pm && !c.has_pcie,
	   "capability pointer at 0xfe is ignored safely");
	ok(!caps_parse(cfg, 63, &c), "fewer than 64 bytes is rejected");
	cfg[0x34] = 0x40;
	cfg[0x42] = 0x42;	/* root port */
	cfg[0x100] = 0x0d;
	cfg[0x103] = 0;
	cfg[0x104] = ACS_SV | ACS_RR; /* only SV and RR implemented */
	cfg[0x106] = ACS_SV | ACS_RR;
	r = caps_parse(cfg, sizeof(cfg), &c);
	ok(r && caps_acs_enabled(&c, ACS_REQUIRED),
	   "ACS flags not implemented count as enabled (Linux semantics)");
	cfg[0x106] = ACS_SV;
	r = caps_parse(cfg, sizeof(cfg), &c);
	ok(r && !caps_acs_enabled(&c, ACS_REQUIRED),
	   "implemented but disabled ACS RR is not enabled");
}

int main(void)
{
	struct options o = { .proc_root = "/nonexistent", .no_names = true };
	char path[512];
	struct devset ds = { 0 };
	const struct pci_caps *c;
	int rc;

	snprintf(path, sizeof(path), "%s/machine-a.dump", FIXTURES);
	o.dump = path;
	rc = devset_load(&o, &ds);
	if (!ok(rc == 0 && ds.n == 20, "machine-a.dump: 20 devices (%zu)", ds.n))
		return tap_done();
	c = get(&ds, "0000:02:00.0");
	ok(c->vendor == 0x8086 && c->device == 0x10d3 && c->class == 0x020000,
	   "82574L identity and class");
	ok(c->has_pcie && c->pcie_flr && c->pcie_type == PCIE_LEG_END, "82574L: PCIe FLR in DevCap");
	ok(c->cfg_len == 4096 && c->ext_readable, "82574L: 4096 bytes of config space");
	c = get(&ds, "0000:01:00.0");
	ok(c->multifunction && !c->pcie_flr && c->pm_nosoftrst && !c->has_acs,
	   "GTX 1080: multi-function, no FLR, NoSoftRst set, no ACS");
	c = get(&ds, "0000:01:00.1");
	ok(c->multifunction && !c->pcie_flr && c->pm_nosoftrst, "GPU audio: same");
	c = get(&ds, "0000:00:1f.6");
	ok(c->has_af && c->af_flr && !c->has_pcie, "I219-V: AF FLR, not PCIe");
	c = get(&ds, "0000:00:14.0");
	ok(c->has_pm && !c->pm_nosoftrst && !c->has_pcie && c->cfg_len == 256,
	   "xHCI 00:14.0: PM reset possible (NoSoftRst clear)");
	c = get(&ds, "0000:00:1c.0");
	ok(c->has_acs && c->acs_ctrl == 0x1d && caps_acs_enabled(c, ACS_REQUIRED) &&
	   c->pcie_type == PCIE_ROOT_PORT, "root port 1c.0: ACS SV RR CR UF enabled");
	ok(c->slot_implemented && c->slot_hotplug && c->slot_power, "root port 1c.0: hotplug slot with power control");
	ok(c->hdr_type == 1 && c->sec_bus == 2 && c->sub_bus == 2, "root port 1c.0: bridge to bus 02");
	c = get(&ds, "0000:00:1c.4");
	ok(!c->has_acs && !caps_acs_enabled(c, ACS_REQUIRED), "root port 1c.4: no ACS capability");
	c = get(&ds, "0000:00:1c.5");
	ok(c->has_acs && c->acs_ctrl == 0 && !caps_acs_enabled(c, ACS_REQUIRED),
	   "root port 1c.5: ACS present but disabled");
	c = get(&ds, "0000:03:00.0");
	ok(c->has_pcie && c->pcie_type == PCIE_PCI_BRIDGE && c->sec_bus == 4,
	   "ASM1083: PCIe-to-PCI bridge to bus 04");
	c = get(&ds, "0000:04:00.0");
	ok(!c->has_pcie && c->has_pm && !c->pm_nosoftrst, "RTL8169: conventional PCI with PM reset");
	c = get(&ds, "0000:04:01.0");
	ok(!c->has_pcie && c->pm_nosoftrst, "VT6306: conventional PCI, NoSoftRst set");
	c = get(&ds, "0000:00:02.0");
	ok(c->pcie_flr && c->pcie_type == PCIE_RC_END, "UHD 630: integrated endpoint with FLR");
	devset_free(&ds);

	snprintf(path, sizeof(path), "%s/vm-virtio.dump", FIXTURES);
	if (ok(devset_load(&o, &ds) == 0 && ds.n == 6, "vm-virtio.dump (recorded): 6 devices")) {
		c = get(&ds, "0000:00:03.0");
		ok(c->vendor == 0x1af4 && c->device == 0x1041 && !c->has_pcie && c->ncaps >= 5,
		   "virtio-net: vendor-specific capabilities walked (%u)", c->ncaps);
	}
	devset_free(&ds);

	snprintf(path, sizeof(path), "%s/machine-b.dump", FIXTURES);
	rc = devset_load(&o, &ds);
	if (ok(rc == 0 && ds.n == 16, "machine-b.dump: 16 devices")) {
		c = get(&ds, "0000:01:00.0");
		ok(c->pcie_type == PCIE_UPSTREAM && !c->has_acs, "PEX 8747 upstream port");
		c = get(&ds, "0000:02:08.0");
		ok(c->pcie_type == PCIE_DOWNSTREAM && caps_acs_enabled(c, ACS_REQUIRED) &&
		   c->slot_implemented && !c->slot_hotplug, "PEX 8747 downstream port with ACS");
		c = get(&ds, "0000:03:00.1");
		ok(c->multifunction && c->pcie_flr && c->acs_cap == 0x0c && caps_acs_enabled(c, ACS_REQUIRED),
		   "I350 function: ACS with only RR and CR implemented counts as enabled");
	}
	devset_free(&ds);
	synthetic();
	return tap_done();
}
