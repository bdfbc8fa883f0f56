// SPDX-License-Identifier: GPL-2.0-or-later
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bind.h"
#include "bootlog.h"
#include "commands.h"
#include "devices.h"
#include "doctor.h"
#include "guests.h"
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

/*
 * xenstore for the doctor: NULL when no guest can hold a device (no Xen and
 * no --xenstore-root) or it cannot be read; then *why says why, or is NULL.
 */
static struct xs *doctor_xs(const struct options *o, struct xs *x, char *why, size_t size,
			    const char **whyp)
{
	bool xen = xen_running(o);

	*whyp = NULL;
	if (!xen && !o->xenstore_root)
		return NULL;
	if (xs_open(o, x, why, size) < 0) {
		if (xen)
			*whyp = why;
		return NULL;
	}
	return x;
}

static struct doctor *doctor_all(const struct options *o, const struct devset *ds,
				 const struct verdict *v, size_t from, size_t n)
{
	struct doctor *d = xcalloc(n ? n : 1, sizeof(*d));
	char why[PATH_MAX + 128];
	const char *whyp;
	struct xs x, *xp = doctor_xs(o, &x, why, sizeof(why), &whyp);

	for (size_t k = 0; k < n; k++)
		doctor_analyse(o, ds, from + k, &v[k].reset, xp, whyp, &d[k]);
	if (xp)
		xs_close(xp);
	return d;
}

static void doctor_free_all(struct doctor *d, size_t n)
{
	for (size_t k = 0; k < n; k++)
		doctor_free(&d[k]);
	free(d);
}

int cmd_list(const struct options *o)
{
	struct devset ds;
	struct verdict *v;
	struct doctor *doc;

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
	doc = doctor_all(o, &ds, v, 0, ds.n);
	if (o->json)
		out_json(stdout, &ds, v, doc, inuse_is_dom0(o));
	else
		out_table(stdout, &ds, v, doc);
	doctor_free_all(doc, ds.n);
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

static int one(const struct options *o, const char *arg, bool xl)
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
		if (xl) {
			out_xl(stdout, o->sysfs_root, &ds, (size_t)i, &v, NULL, true);
		} else {
			struct doctor *doc = doctor_all(o, &ds, &v, (size_t)i, 1);

			out_check(stdout, o->sysfs_root, &ds, (size_t)i, &v, doc);
			doctor_free_all(doc, 1);
		}
	}
	verdict_free(&v);
	devset_free(&ds);
	return ret;
}

int cmd_check(const struct options *o, const char *dev)
{
	return one(o, dev, false);
}

int cmd_xl_config(const struct options *o, const char *dev)
{
	return one(o, dev, true);
}

/*
 * release: no guest may use a member that goes back to dom0 (pciback only
 * warns on unbind; a dom0 driver would then share the device with a guest
 * still doing DMA to it). Without Xen nothing can; when Xen runs and
 * xenstore cannot be read, it cannot tell, and refuses too.
 */
static int check_guests(const struct options *o, const struct devset *ds,
			const size_t *m, size_t n)
{
	bool xen = xen_running(o), opened = false;
	char why[PATH_MAX + 128];
	struct xs x;
	int ret = 0;

	if (!xen && !o->xenstore_root)
		return 0;
	for (size_t j = 0; j < n && !ret; j++) {
		const struct pdev *p = &ds->d[m[j]];
		struct holder h;

		if (!pdev_is_pciback(p))
			continue;
		if (!opened && xs_open(o, &x, why, sizeof(why)) < 0) {
			if (!xen)
				return 0;
			if (o->force) {
				xp_note("cannot tell whether a guest uses %s: %s; releasing anyway (--force)",
					p->name, why);
				return 0;
			}
			xp_err("refusing: cannot tell whether a guest uses %s: %s (--force overrides)",
			       p->name, why);
			return -1;
		}
		opened = true;
		guest_holder(&x, &p->bdf, &h);
		if (h.stale)
			xp_note("xenstore still records %s for domain %u, which no longer exists",
				p->name, h.stale_domid);
		if (h.state == HOLD_GUEST && o->force) {
			xp_note("%s is used by guest domain %u%s%s%s; releasing it anyway (--force)",
				p->name, h.domid, h.name[0] ? " (" : "", esc(h.name),
				h.name[0] ? ")" : "");
		} else if (h.state == HOLD_GUEST) {
			xp_err("refusing: %s is used by guest domain %u%s%s%s; shut the guest down "
			       "or detach the device first (--force overrides)", p->name, h.domid,
			       h.name[0] ? " (" : "", esc(h.name), h.name[0] ? ")" : "");
			ret = -1;
		} else if (h.state == HOLD_UNKNOWN && xen && !o->force) {
			xp_err("refusing: cannot tell whether a guest uses %s: %s (--force overrides)",
			       p->name, h.why);
			ret = -1;
		}
	}
	if (opened)
		xs_close(&x);
	return ret;
}

/* Everything that can refuse runs before anything changes. */
static int preflight(const struct options *o, const struct devset *ds,
		     const struct verdict *v, const size_t *m, size_t n, bool assign)
{
	char use[64];

	if (!assign)
		return check_guests(o, ds, m, n);
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
	for (size_t j = 0; j < n && !o->force; j++) {
		const struct pdev *p = &ds->d[m[j]];

		if (p->dom0_use & ~DOM0_MAYBE_ROOTFS) {
			inuse_names(p->dom0_use, use, sizeof(use));
			xp_err("refusing: %s is in use by dom0 (%s) (--force overrides)",
			       p->name, use);
			return -1;
		}
		if (p->dom0_use & DOM0_MAYBE_ROOTFS) {
			xp_err("refusing: %s may hold the root filesystem: cannot tell which "
			       "device does: %s (--force overrides)", p->name, ds->root_unknown);
			return -1;
		}
	}
	return 0;
}

/* Undo the moves of members 0..j, newest first; appends to err. */
static void roll_back(const struct options *o, const struct devset *ds, const size_t *m,
		      struct bind_undo *u, size_t j, char *err, size_t errsize)
{
	bool any = false, bad = false;
	size_t len;

	for (size_t k = j + 1; k-- > 0;) {
		any |= u[k].done != 0;
		bad |= bind_undo(o->sysfs_root, &ds->d[m[k]], &u[k], err, errsize) < 0;
	}
	len = strlen(err);
	if (!bad)
		snprintf(err + len, errsize - len, "%s", any ? "; rolled back" :
			 "; nothing was changed");
}

/*
 * assign/release: pciback's lock (and the seize list's) first, then
 * everything that can refuse, then the seize list read and its new version
 * written aside, then the sysfs steps, undone if one fails, then the list
 * renamed into place. A failure leaves the state
 * before, and one line saying what happened.
 */
static int move(const struct options *o, const char *arg, bool assign)
{
	struct persist pl = { 0 };
	struct persist_tx tx = { .active = false };
	struct bind_undo *u = NULL;
	char err[2 * PATH_MAX + 256];
	struct devset ds;
	struct verdict v;
	size_t n = 0, *m = NULL;
	bool changed = false;
	int i, r, lock = -1, movelock, ret = XP_EXIT_FAIL;

	if (geteuid() != 0) {
		xp_err("%s needs root", assign ? "assign" : "release");
		return XP_EXIT_FAIL;
	}
	/* Both held from before the devices are read: moves do not interleave
	 * at all, so none acts on a state another changed; runs with --persist
	 * also hold the seize list's lock. Always taken in this order. */
	if ((movelock = bind_lock(o->sysfs_root, err, sizeof(err))) == -1) {
		xp_err("%s", err);
		return XP_EXIT_FAIL;
	}
	if (o->persist && (lock = persist_lock(o->conf, err, sizeof(err))) < 0) {
		xp_err("%s", err);
		persist_unlock(movelock);
		return XP_EXIT_FAIL;
	}
	i = load_resolved(o, arg, &ds);
	if (i < 0) {
		persist_unlock(lock);
		persist_unlock(movelock);
		return -i;
	}
	verdict_compute(&ds, (size_t)i, &v);
	m = verdict_members(&v, (size_t)i, &n);
	u = xcalloc(n, sizeof(*u));
	if (preflight(o, &ds, &v, m, n, assign) < 0)
		goto out;
	for (size_t j = 0; j < n; j++) {
		const struct pdev *p = &ds.d[m[j]];

		if (assign != pdev_is_pciback(p) &&
		    bind_check(o->sysfs_root, p, assign, err, sizeof(err)) < 0) {
			xp_err("%s; nothing was changed", err);
			goto out;
		}
	}
	if (o->persist) {
		if (persist_load(o->conf, &pl, err, sizeof(err)) < 0) {
			xp_err("%s", err);
			goto out;
		}
		for (size_t j = 0; j < n; j++)
			changed |= assign ? persist_add(&pl, &ds.d[m[j]].bdf) :
					    persist_remove(&pl, &ds.d[m[j]].bdf);
		/* Written and synced before any sysfs change: only a rename is left. */
		if (changed && persist_prepare(o->conf, &pl, &tx, err, sizeof(err)) < 0) {
			xp_err("%s", err);
			goto out;
		}
	}
	for (size_t j = 0; j < n; j++) {
		const struct pdev *p = &ds.d[m[j]];

		r = assign ? bind_assign(o->sysfs_root, p, &u[j], err, sizeof(err)) :
			     bind_release(o->sysfs_root, p, &u[j], err, sizeof(err));
		if (r < 0) {
			roll_back(o, &ds, m, u, j, err, sizeof(err));
			persist_abort(&tx);
			xp_err("%s", err);
			goto out;
		}
	}
	if (changed) {
		r = persist_commit(&tx, err, sizeof(err));
		if (r == -1) {
			roll_back(o, &ds, m, u, n - 1, err, sizeof(err));
			xp_err("%s", err);
			goto out;
		}
		if (r < 0) { /* replaced, but its directory was not synced */
			xp_err("%s", err);
			goto out;
		}
	}
	for (size_t j = 0; j < n; j++) {
		const struct pdev *p = &ds.d[m[j]];

		if (assign == pdev_is_pciback(p))
			printf("%s: %s\n", p->name, assign ? "already owned by pciback" :
			       "not owned by pciback");
		else
			printf("%s: %s%s%s\n", p->name,
			       assign ? "bound to pciback" : "released to the kernel",
			       assign && p->driver[0] ? ", was " : "",
			       assign ? esc(p->driver) : "");
	}
	if (o->persist && changed)
		printf("updated %s; rebuild the initramfs of every installed kernel "
		       "to apply it at boot ('update-initramfs -u -k all', or "
		       "'dracut --regenerate-all --force' with dracut)\n",
		       esc(o->conf));
	else if (o->persist)
		printf("%s already %s\n", esc(o->conf),
		       assign ? "lists them" : "does not list them");
	ret = XP_EXIT_OK;
out:
	persist_abort(&tx);
	persist_unlock(lock);
	persist_unlock(movelock);
	persist_free(&pl);
	free(u);
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

int cmd_boot_report(const struct options *o)
{
	struct devset ds;
	int ret;

	if (load(o, &ds) < 0)
		return XP_EXIT_FAIL;
	ret = boot_report(o, &ds);
	devset_free(&ds);
	return ret;
}
