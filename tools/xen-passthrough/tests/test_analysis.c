// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Topology, reset analysis, isolation, verdicts and dom0-use detection on
 * machine-a.dump with the fake sysfs/procfs of mkfakesys.sh ($XP_FAKE).
 */
#include <string.h>

#include "devices.h"
#include "inuse.h"
#include "reset.h"
#include "tap.h"
#include "topology.h"
#include "verdict.h"

static struct devset ds;

static size_t at(const char *bdf)
{
	struct bdf b;
	int i = -1;

	if (bdf_parse_full(bdf, strlen(bdf), &b))
		i = devset_find(&ds, &b);
	if (i < 0) {
		ok(0, "device %s exists", bdf);
		exit(tap_done());
	}
	return (size_t)i;
}

static const char *name_or(int k)
{
	return k >= 0 ? ds.d[k].name : "-";
}

/* The verdict, and the comma-joined list of devices that go along. */
static enum verdict_kind verdict(const char *bdf, char *with, size_t size, struct verdict *out)
{
	struct verdict v;
	size_t len = 0;
	enum verdict_kind k;

	verdict_compute(&ds, at(bdf), &v);
	with[0] = '\0';
	for (size_t j = 0; j < v.nwith; j++)
		len += (size_t)snprintf(with + len, size - len, "%s%s", j ? "," : "", ds.d[v.with[j]].name);
	k = v.kind;
	if (out)
		*out = v;
	else
		verdict_free(&v);
	return k;
}

static void verdicts(void)
{
	struct verdict v;
	char w[256];
	enum verdict_kind k;

	k = verdict("0000:02:00.0", w, sizeof(w), NULL);
	ok(k == V_ALONE && !w[0], "82574L behind ACS root port with FLR: alone");
	k = verdict("0000:01:00.0", w, sizeof(w), &v);
	ok(k == V_TOGETHER && !strcmp(w, "0000:01:00.1") && v.mf_no_acs,
	   "GPU: together with its audio function (multi-function, no ACS) [%s]", w);
	verdict_free(&v);
	k = verdict("0000:01:00.1", w, sizeof(w), NULL);
	ok(k == V_TOGETHER && !strcmp(w, "0000:01:00.0"), "GPU audio: together with the GPU");
	k = verdict("0000:04:00.0", w, sizeof(w), &v);
	ok(k == V_TOGETHER && !strcmp(w, "0000:04:01.0") && !strcmp(name_or(v.alias_bridge), "0000:03:00.0") &&
	   !strcmp(name_or(v.non_acs_port), "0000:00:1c.4"),
	   "conventional PCI behind PCIe-to-PCI bridge: together with its neighbour [%s]", w);
	verdict_free(&v);
	k = verdict("0000:05:00.0", w, sizeof(w), &v);
	ok(k == V_ALONE && !strcmp(name_or(v.non_acs_port), "0000:00:1c.5"),
	   "Renesas xHCI below a port with ACS disabled, but alone there: alone");
	verdict_free(&v);
	k = verdict("0000:00:1f.3", w, sizeof(w), &v);
	ok(k == V_NO && strstr(v.reason, "the kernel found no reset method"),
	   "PCH audio without reset_method while others have one: not assignable, no reset");
	verdict_free(&v);
	k = verdict("0000:00:1f.6", w, sizeof(w), NULL);
	ok(k == V_NO, "I219-V (AF FLR) in the PCH multi-function slot: not assignable");
	k = verdict("0000:00:1c.0", w, sizeof(w), &v);
	ok(k == V_NO && strstr(v.reason, "root port"), "root port: not assignable");
	verdict_free(&v);
	k = verdict("0000:00:00.0", w, sizeof(w), NULL);
	ok(k == V_NO, "host bridge: not assignable");
	k = verdict("0000:00:14.0", w, sizeof(w), &v);
	ok(k == V_ALONE && reset_all(&v.reset) == RESET_PM, "PCH xHCI on the root bus with PM reset: alone");
	verdict_free(&v);
	k = verdict("0000:06:00.0", w, sizeof(w), NULL);
	ok(k == V_ALONE, "NVMe with FLR behind ACS port: alone (hardware-wise)");
}

static void resets(void)
{
	struct reset_info r;

	reset_analyse(&ds, at("0000:02:00.0"), &r);
	ok(r.methods == (RESET_FLR | RESET_BUS | RESET_SLOT) && r.kernel_known &&
	   r.kernel == (RESET_FLR | RESET_BUS) && r.nvictims == 0,
	   "82574L: flr+slot+bus, kernel says flr bus, bus reset hits nobody else");
	reset_free(&r);
	reset_analyse(&ds, at("0000:01:00.0"), &r);
	ok(r.methods == RESET_BUS && r.nvictims == 1 && r.victims[0] == at("0000:01:00.1") &&
	   !reset_has_function_reset(&r), "GPU: bus reset only, hits 01:00.1");
	reset_free(&r);
	reset_analyse(&ds, at("0000:04:01.0"), &r);
	ok(r.methods == RESET_BUS && (r.kernel & RESET_DEVSPEC) && reset_has_function_reset(&r) &&
	   r.port == (int)at("0000:03:00.0"), "VT6306: kernel's device_specific reset combined with ours");
	reset_free(&r);
	reset_analyse(&ds, at("0000:00:1f.6"), &r);
	ok(r.methods == RESET_AF_FLR && r.port < 0 && r.kernel_known && r.kernel_hidden && !r.kernel &&
	   !reset_has_function_reset(&r),
	   "I219-V: AF FLR in config space, but no reset_method while others have one: no reset");
	reset_free(&r);
	reset_analyse(&ds, at("0000:05:00.0"), &r);
	ok(r.methods == (RESET_PM | RESET_BUS), "Renesas: PM reset (NoSoftRst clear) and bus");
	reset_free(&r);
	reset_analyse(&ds, at("0000:00:1c.4"), &r);
	ok(!(r.methods & RESET_BUS) && r.port < 0, "bridges get no bus reset");
	reset_free(&r);
	ok(reset_parse_kernel("device_specific acpi flr af_flr pm bus cxl_bus bogus") == (0xff & ~RESET_SLOT) &&
	   reset_parse_kernel("") == 0 && reset_parse_kernel("flrx pmm") == 0,
	   "reset_method parsing");
}

static void topology(void)
{
	char path[128];
	int parents[64];
	size_t n = ds.n;

	ok(ds.d[at("0000:04:01.0")].parent == (int)at("0000:03:00.0") &&
	   ds.d[at("0000:03:00.0")].parent == (int)at("0000:00:1c.4") &&
	   ds.d[at("0000:00:1c.4")].parent == -1, "parent chain from sysfs paths");
	topo_path(&ds, at("0000:04:01.0"), path, sizeof(path));
	ok(!strcmp(path, "0000:00:1c.4/00.0/01.0"), "PCI path string (%s)", path);
	ok(topo_is_below(&ds, at("0000:04:00.0"), at("0000:00:1c.4")) &&
	   !topo_is_below(&ds, at("0000:02:00.0"), at("0000:00:1c.4")), "subtree membership");
	for (size_t i = 0; i < n && i < 64; i++) {
		parents[i] = ds.d[i].parent;
		free(ds.d[i].syspath);
		ds.d[i].syspath = NULL;
	}
	topo_build(&ds);
	{
		size_t same = 0;

		for (size_t i = 0; i < n && i < 64; i++)
			same += parents[i] == ds.d[i].parent;
		ok(same == n, "bus-number topology (dump only) equals the sysfs one");
	}
}

static void dom0_use(const struct options *o)
{
	ok(ds.d[at("0000:06:00.0")].dom0_use == DOM0_ROOTFS, "root filesystem on the NVMe (mountinfo -> dev/block)");
	ok(ds.d[at("0000:00:02.0")].dom0_use == DOM0_CONSOLE, "console on the iGPU (tty0 -> fb0, boot_vga)");
	ok(ds.d[at("0000:00:1f.6")].dom0_use == DOM0_NETWORK, "default route: br0 -> lower_eno1 -> 00:1f.6");
	ok(ds.d[at("0000:02:00.0")].dom0_use == 0 && ds.d[at("0000:01:00.0")].dom0_use == 0,
	   "other devices are free");
	ok(!strcmp(ds.d[at("0000:02:00.0")].driver, "e1000e") && ds.d[at("0000:03:00.0")].driver[0] == '\0',
	   "driver links read");
	ok(inuse_is_dom0(o), "control_d in the fake proc means dom0");
}

static void synthetic(void)
{
	uint8_t cfg[256];
	struct devset s = { 0 };
	struct bdf b = { 0, 0, 3, 0 };
	struct verdict v;

	memset(cfg, 0, sizeof(cfg));
	cfg[0] = 0x34, cfg[1] = 0x12, cfg[0x0b] = 0x02;
	devset_add(&s, &b, cfg, sizeof(cfg));
	topo_build(&s);
	verdict_compute(&s, 0, &v);
	ok(v.kind == V_NO && strstr(v.reason, "cannot be reset"), "no reset at all on a root bus: not assignable");
	verdict_free(&v);
	s.d[0].caps.cfg_len = 64; /* what a non-root reader gets */
	verdict_compute(&s, 0, &v);
	ok(v.kind == V_UNKNOWN && strstr(v.reason, "root"), "64 readable bytes: unknown, run as root");
	verdict_free(&v);
	devset_free(&s);
}

/* machine-b: a PCIe switch; dump only, so topology comes from bus numbers. */
static void machine_b(void)
{
	struct options o = { .proc_root = "/nonexistent", .no_names = true };
	char dump[512], w[256];
	struct verdict v;
	enum verdict_kind k;

	snprintf(dump, sizeof(dump), "%s/machine-b.dump", FIXTURES);
	o.dump = dump;
	if (!ok(devset_load(&o, &ds) == 0 && ds.n == 16, "machine-b: 16 devices"))
		return;
	topo_build(&ds);
	ok(ds.d[at("0000:03:00.1")].parent == (int)at("0000:02:08.0") &&
	   ds.d[at("0000:02:08.0")].parent == (int)at("0000:01:00.0") &&
	   ds.d[at("0000:01:00.0")].parent == (int)at("0000:00:01.1"), "switch topology from bus numbers");
	k = verdict("0000:03:00.0", w, sizeof(w), &v);
	ok(k == V_ALONE && !v.mf_no_acs && v.reset.nvictims == 1,
	   "I350 function with ACS (RR CR) and FLR: alone although multi-function");
	verdict_free(&v);
	k = verdict("0000:04:00.0", w, sizeof(w), NULL);
	ok(k == V_ALONE, "ConnectX-3 below switch ports with ACS: alone");
	k = verdict("0000:05:00.0", w, sizeof(w), &v);
	ok(k == V_ALONE && !strcmp(name_or(v.non_acs_port), "0000:02:0a.0"),
	   "SATA below a downstream port without ACS, the only device there: alone");
	verdict_free(&v);
	k = verdict("0000:08:00.0", w, sizeof(w), &v);
	ok(k == V_TOGETHER && !strcmp(w, "0000:09:00.0") && !strcmp(name_or(v.non_acs_port), "0000:00:01.2"),
	   "I211 behind a switch under a root port without ACS: together with the RTL8111 [%s]", w);
	verdict_free(&v);
	k = verdict("0000:01:00.0", w, sizeof(w), &v);
	ok(k == V_NO && strstr(v.reason, "switch upstream port"), "switch upstream port: not assignable");
	verdict_free(&v);
	devset_free(&ds);
}

int main(void)
{
	struct options o = { .no_names = true };
	char dump[512], sys[512], proc[512];
	const char *fake = getenv("XP_FAKE");

	if (!fake) {
		ok(0, "XP_FAKE names a tree made by mkfakesys.sh");
		return tap_done();
	}
	snprintf(dump, sizeof(dump), "%s/machine-a.dump", FIXTURES);
	snprintf(sys, sizeof(sys), "%s/sys", fake);
	snprintf(proc, sizeof(proc), "%s/proc", fake);
	o.dump = dump, o.sysfs_root = sys, o.proc_root = proc;
	if (!ok(devset_load(&o, &ds) == 0 && ds.n == 20, "load dump"))
		return tap_done();
	devset_read_sysfs(o.sysfs_root, &ds);
	topo_build(&ds);
	inuse_mark(&o, &ds);
	verdicts();
	resets();
	dom0_use(&o);
	topology();
	synthetic();
	devset_free(&ds);
	machine_b();
	return tap_done();
}
