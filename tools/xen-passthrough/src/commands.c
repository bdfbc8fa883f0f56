// SPDX-License-Identifier: GPL-2.0-or-later
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bind.h"
#include "commands.h"
#include "devices.h"
#include "inuse.h"
#include "output.h"
#include "persist.h"
#include "spec.h"
#include "topology.h"
#include "verdict.h"

static int load(const struct options *o, struct devset *ds)
{
	memset(ds, 0, sizeof(*ds));
	if (devset_load(o, ds) < 0)
		return -1;
	devset_read_sysfs(o->sysfs_root, ds);
	topo_build(ds);
	inuse_mark(o, ds);
	return 0;
}

static void dom0_note(const struct options *o)
{
	if (!inuse_is_dom0(o))
		xp_note("not running in dom0 (no control_d in %s/xen/capabilities); "
			"results are for planning", esc(o->proc_root));
}

/* Index of the one device `arg` names, or an exit code (negated). */
static int resolve(const struct devset *ds, const char *arg)
{
	char err[160], list[512] = "";
	size_t idx[8], n, len = 0;
	struct spec sp;

	if (spec_parse(arg, strlen(arg), &sp, err, sizeof(err)) < 0) {
		xp_err("bad device '%s': %s", esc(arg), err);
		return -XP_EXIT_USAGE;
	}
	n = spec_resolve(ds, &sp, idx, ARRAY_SIZE(idx));
	if (n == 1)
		return (int)idx[0];
	if (!n) {
		xp_err("no PCI device matches '%s'", esc(arg));
		return -XP_EXIT_FAIL;
	}
	for (size_t i = 0; i < n && i < ARRAY_SIZE(idx); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, " %s",
					ds->d[idx[i]].name);
	xp_err("'%s' is ambiguous, it matches %zu devices:%s%s; give a BDF", esc(arg),
	       n, list, n > ARRAY_SIZE(idx) ? " ..." : "");
	return -XP_EXIT_FAIL;
}

int cmd_list(const struct options *o)
{
	struct devset ds;
	struct verdict *v;

	if (load(o, &ds) < 0)
		return XP_EXIT_FAIL;
	dom0_note(o);
	for (size_t i = 0; i < ds.n; i++) {
		if (ds.d[i].caps.cfg_len < 256) {
			xp_note("only 64 bytes of config space are readable without root; "
				"verdicts marked unknown need root");
			break;
		}
	}
	v = xcalloc(ds.n, sizeof(*v));
	for (size_t i = 0; i < ds.n; i++)
		verdict_compute(&ds, i, &v[i]);
	if (o->json)
		out_json(stdout, &ds, v, inuse_is_dom0(o));
	else
		out_table(stdout, &ds, v);
	for (size_t i = 0; i < ds.n; i++)
		verdict_free(&v[i]);
	free(v);
	devset_free(&ds);
	return XP_EXIT_OK;
}

/* Loads the devices and finds ARG among them: its index, or -exit code. */
static int load_resolved(const struct options *o, const char *arg,
			 struct devset *ds)
{
	int i;

	if (load(o, ds) < 0)
		return -XP_EXIT_FAIL;
	i = resolve(ds, arg);
	if (i < 0)
		devset_free(ds);
	return i;
}

static int one(const struct options *o, const char *arg, bool xl,
	       void (*fn)(FILE *, const struct devset *, size_t, const struct verdict *))
{
	struct devset ds;
	struct verdict v;
	int i, ret = XP_EXIT_OK;

	i = load_resolved(o, arg, &ds);
	if (i < 0)
		return -i;
	if (!xl)
		dom0_note(o);
	verdict_compute(&ds, (size_t)i, &v);
	if (xl && (v.kind == V_NO || v.kind == V_UNKNOWN) && !o->force) {
		/* A guest configuration for it would be a trap. */
		xp_err("refusing: %s is not safely assignable: %s (--force overrides)",
		       ds.d[i].name, v.reason);
		ret = XP_EXIT_FAIL;
	} else {
		if (xl && (v.kind == V_NO || v.kind == V_UNKNOWN))
			xp_note("%s is not safely assignable: %s", ds.d[i].name, v.reason);
		fn(stdout, &ds, (size_t)i, &v);
	}
	verdict_free(&v);
	devset_free(&ds);
	return ret;
}

int cmd_check(const struct options *o, const char *dev)
{
	return one(o, dev, false, out_check);
}

int cmd_xl_config(const struct options *o, const char *dev)
{
	return one(o, dev, true, out_xl);
}

/* Everything that can refuse runs before anything changes. */
static int preflight(const struct options *o, const struct devset *ds,
		     const struct verdict *v, const size_t *m, size_t n, bool assign)
{
	char use[64];

	if (!assign)
		return 0;
	if (!bind_pciback_present(o->sysfs_root)) {
		xp_err("xen-pciback is not loaded (no %s/" PCIBACK_DIR "); run 'modprobe xen-pciback' in dom0",
		       esc(o->sysfs_root));
		return -1;
	}
	if ((v->kind == V_NO || v->kind == V_UNKNOWN) && !o->force) {
		xp_err("refusing: %s is not safely assignable: %s (--force overrides)",
		       ds->d[m[0]].name, v->reason);
		return -1;
	}
	for (size_t j = 0; j < n; j++) {
		if (ds->d[m[j]].dom0_use && !o->force) {
			inuse_names(ds->d[m[j]].dom0_use, use, sizeof(use));
			xp_err("refusing: %s is in use by dom0 (%s) (--force overrides)",
			       ds->d[m[j]].name, use);
			return -1;
		}
	}
	return 0;
}

static int update_conf(const struct options *o, const struct devset *ds,
		       const size_t *m, size_t n, bool add, struct persist *pl)
{
	char err[PATH_MAX + 64];
	bool changed = false;

	for (size_t j = 0; j < n; j++)
		changed |= add ? persist_add(pl, &ds->d[m[j]].bdf) :
				 persist_remove(pl, &ds->d[m[j]].bdf);
	if (!changed) {
		printf("%s already %s\n", esc(o->conf), add ? "lists them" : "does not list them");
		return 0;
	}
	if (persist_save(o->conf, pl, err, sizeof(err)) < 0) {
		xp_err("%s", err);
		return -1;
	}
	printf("updated %s; run 'update-initramfs -u' to apply it at boot\n", esc(o->conf));
	return 0;
}

static int move(const struct options *o, const char *arg, bool assign)
{
	struct persist pl = { 0 };
	char err[PATH_MAX + 64];
	struct devset ds;
	struct verdict v;
	size_t n = 0, *m = NULL;
	int i, lock = -1, ret = XP_EXIT_FAIL;

	if (geteuid() != 0) {
		xp_err("%s needs root", assign ? "assign" : "release");
		return XP_EXIT_FAIL;
	}
	i = load_resolved(o, arg, &ds);
	if (i < 0)
		return -i;
	verdict_compute(&ds, (size_t)i, &v);
	m = verdict_members(&v, (size_t)i, &n);
	if (preflight(o, &ds, &v, m, n, assign) < 0)
		goto out;
	if (o->persist && (lock = persist_lock(o->conf, err, sizeof(err))) < 0) {
		xp_err("%s", err);
		goto out;
	}
	if (o->persist && persist_load(o->conf, &pl, err, sizeof(err)) < 0) {
		xp_err("%s", err);
		goto out;
	}
	for (size_t j = 0; j < n; j++) {
		const struct pdev *p = &ds.d[m[j]];

		if (assign ? pdev_is_pciback(p) : !pdev_is_pciback(p)) {
			printf("%s: %s\n", p->name, assign ? "already owned by pciback" :
			       "not owned by pciback");
			continue;
		}
		if ((assign ? bind_assign(o->sysfs_root, p) : bind_release(o->sysfs_root, p)) < 0)
			goto out;
		printf("%s: %s%s%s\n", p->name, assign ? "bound to pciback" : "released to the kernel",
		       assign && p->driver[0] ? ", was " : "", assign ? esc(p->driver) : "");
	}
	if (o->persist && update_conf(o, &ds, m, n, assign, &pl) < 0)
		goto out;
	ret = XP_EXIT_OK;
out:
	persist_unlock(lock);
	persist_free(&pl);
	free(m);
	verdict_free(&v);
	devset_free(&ds);
	return ret;
}

int cmd_assign(const struct options *o, const char *dev)
{
	return move(o, dev, true);
}

int cmd_release(const struct options *o, const char *dev)
{
	return move(o, dev, false);
}
