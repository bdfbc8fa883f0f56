// SPDX-License-Identifier: GPL-2.0-or-later
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bind.h"
#include "sysfs.h"

int bind_lock(const char *sysfs_root, char *err, size_t errsize)
{
	char dir[PATH_MAX];

	if (!rexists(sysfs_root, PCIBACK_DIR))
		return -2;
	if (!rpath(dir, sizeof(dir), sysfs_root, PCIBACK_DIR)) {
		snprintf(err, errsize, "%s/" PCIBACK_DIR ": path too long", esc(sysfs_root));
		return -1;
	}
	return lock_dir_wait(dir, err, errsize);
}

int bind_pciback_present(const char *sysfs_root)
{
	return rexists(sysfs_root, PCIBACK_DIR "/bind");
}

/* pciback/slots lists the device: 1, 0, or -1 if it cannot be read. */
static int slotted(const char *root, const struct pdev *p)
{
	char *text = rslurp(root, NULL, PCIBACK_DIR "/slots");
	int ret = 0;

	if (!text)
		return -1;
	for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
		struct bdf b;

		if (sscanf(l, "%x:%x:%x.%u", &b.dom, &b.bus, &b.dev, &b.fn) == 4 &&
		    bdf_eq(&b, &p->bdf)) {
			ret = 1;
			break;
		}
	}
	free(text);
	return ret;
}

/* driver_override now: "" when the attribute is missing or unset. */
static void read_override(const char *root, const struct pdev *p, char *buf, size_t size)
{
	if (rread(root, buf, size, "bus/pci/devices/%s/driver_override", p->name) < 0 ||
	    !strcmp(buf, "(null)"))
		buf[0] = '\0';
}

static bool has_override(const char *root, const struct pdev *p)
{
	return rexists(root, "bus/pci/devices/%s/driver_override", p->name);
}

__attribute__((format(printf, 4, 5)))
static int need(const char *root, char *err, size_t errsize, const char *fmt, ...)
{
	char rel[PATH_MAX], where[PATH_MAX];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	r = rwritable(root, where, sizeof(where), "%s", rel);
	if (r < 0)
		snprintf(err, errsize, "cannot write %s: %s", esc(where), xp_strerror(-r));
	return r < 0 ? -1 : 0;
}

int bind_check(const char *root, const struct pdev *p, bool assign, char *err,
	       size_t errsize)
{
	int slot = slotted(root, p);

	if (has_override(root, p) &&
	    need(root, err, errsize, "bus/pci/devices/%s/driver_override", p->name))
		return -1;
	/* pciback's files, for the move and for its undo */
	if (need(root, err, errsize, PCIBACK_DIR "/bind") ||
	    need(root, err, errsize, PCIBACK_DIR "/unbind") ||
	    (slot != 1 && need(root, err, errsize, PCIBACK_DIR "/new_slot")) ||
	    (slot != 0 && rexists(root, PCIBACK_DIR "/remove_slot") &&
	     need(root, err, errsize, PCIBACK_DIR "/remove_slot")))
		return -1;
	if (assign)
		return p->driver[0] &&
		       (need(root, err, errsize, "bus/pci/devices/%s/driver/unbind", p->name) ||
			need(root, err, errsize, "bus/pci/drivers/%s/bind", p->driver)) ? -1 : 0;
	return need(root, err, errsize, "bus/pci/devices/%s/driver/unbind", p->name) ||
	       need(root, err, errsize, "bus/pci/drivers_probe") ? -1 : 0;
}

/* One write of a step: 0, or -1 with "BDF: WHAT failed: REASON" in err. */
static int step(int r, const struct pdev *p, const char *what, char *err, size_t errsize)
{
	if (r)
		snprintf(err, errsize, "%s: %s failed: %s", p->name, what, xp_strerror(-r));
	return r ? -1 : 0;
}

int bind_assign(const char *root, const struct pdev *p, struct bind_undo *u,
		char *err, size_t errsize)
{
	memset(u, 0, sizeof(*u));
	if (pdev_is_pciback(p))
		return 0;
	/* libxl checks slots too: a second new_slot would list it twice. */
	if (slotted(root, p) != 1) {
		if (step(rwrite(root, p->name, PCIBACK_DIR "/new_slot"), p,
			 "writing pciback/new_slot", err, errsize))
			return -1;
		u->done |= B_SLOT_ADDED;
	}
	if (has_override(root, p)) {
		read_override(root, p, u->old_override, sizeof(u->old_override));
		if (step(rwrite(root, "pciback", "bus/pci/devices/%s/driver_override", p->name),
			 p, "setting driver_override", err, errsize))
			return -1;
		u->done |= B_OVERRIDE_SET;
	}
	if (p->driver[0]) {
		strlcpy0(u->old_driver, p->driver, sizeof(u->old_driver));
		if (step(rwrite(root, p->name, "bus/pci/devices/%s/driver/unbind", p->name),
			 p, "unbinding from its driver", err, errsize))
			return -1;
		u->done |= B_UNBOUND;
	}
	if (step(rwrite(root, p->name, PCIBACK_DIR "/bind"), p, "binding to pciback",
		 err, errsize))
		return -1;
	u->done |= B_BOUND;
	return 0;
}

int bind_release(const char *root, const struct pdev *p, struct bind_undo *u,
		 char *err, size_t errsize)
{
	int slot;

	memset(u, 0, sizeof(*u));
	if (!pdev_is_pciback(p))
		return 0;
	slot = slotted(root, p);
	if (step(rwrite(root, p->name, "bus/pci/devices/%s/driver/unbind", p->name), p,
		 "unbinding from pciback", err, errsize))
		return -1;
	u->done |= B_PB_UNBOUND;
	/* Unknown slots (unreadable): remove it if pciback can, as before. */
	if (slot == 1 || (slot < 0 && rexists(root, PCIBACK_DIR "/remove_slot"))) {
		if (step(rwrite(root, p->name, PCIBACK_DIR "/remove_slot"), p,
			 "writing pciback/remove_slot", err, errsize))
			return -1;
		u->done |= B_SLOT_REMOVED;
	}
	if (has_override(root, p)) {
		read_override(root, p, u->old_override, sizeof(u->old_override));
		if (step(rwrite(root, "\n", "bus/pci/devices/%s/driver_override", p->name),
			 p, "clearing driver_override", err, errsize))
			return -1;
		u->done |= B_OVERRIDE_CLEARED;
	}
	if (step(rwrite(root, p->name, "bus/pci/drivers_probe"), p, "reprobing drivers",
		 err, errsize))
		return -1;
	u->done |= B_PROBED;
	return 0;
}

/* One undo write; a failure is added to err and makes *bad. */
static void undo(int r, const struct pdev *p, const char *what, bool *bad, char *err,
		 size_t errsize)
{
	size_t len = strlen(err);

	if (!r)
		return;
	snprintf(err + len, errsize - len, "%s%s: %s: %s", *bad ? ", " : "; rollback failed: ",
		 p->name, what, xp_strerror(-r));
	*bad = true;
}

int bind_undo(const char *root, const struct pdev *p, struct bind_undo *u,
	      char *err, size_t errsize)
{
	unsigned int d = u->done;
	char now[64];
	bool bad = false;

	/* Release, newest step first: the kernel may have bound a driver. */
	if ((d & B_PROBED) &&
	    rlinkbase(root, now, sizeof(now), "bus/pci/devices/%s/driver", p->name) > 0 &&
	    strcmp(now, "pciback") && strcmp(now, "xen-pciback"))
		undo(rwrite(root, p->name, "bus/pci/devices/%s/driver/unbind", p->name), p,
		     "unbinding the driver it got", &bad, err, errsize);
	if ((d & B_OVERRIDE_CLEARED) && u->old_override[0])
		undo(rwrite(root, u->old_override, "bus/pci/devices/%s/driver_override", p->name),
		     p, "restoring driver_override", &bad, err, errsize);
	if (d & B_SLOT_REMOVED)
		undo(rwrite(root, p->name, PCIBACK_DIR "/new_slot"), p, "new_slot", &bad,
		     err, errsize);
	if (d & B_PB_UNBOUND)
		undo(rwrite(root, p->name, PCIBACK_DIR "/bind"), p, "binding to pciback again",
		     &bad, err, errsize);
	/* Assign, newest first; the override goes before the old driver binds. */
	if (d & B_BOUND)
		undo(rwrite(root, p->name, PCIBACK_DIR "/unbind"), p, "unbinding from pciback",
		     &bad, err, errsize);
	if (d & B_OVERRIDE_SET)
		undo(rwrite(root, u->old_override[0] ? u->old_override : "\n",
			    "bus/pci/devices/%s/driver_override", p->name),
		     p, "restoring driver_override", &bad, err, errsize);
	if (d & B_SLOT_ADDED)
		undo(rwrite(root, p->name, PCIBACK_DIR "/remove_slot"), p, "remove_slot", &bad,
		     err, errsize);
	if (d & B_UNBOUND) {
		int r = rwrite(root, p->name, "bus/pci/drivers/%s/bind", u->old_driver);

		/* Its own driver refused: let the kernel choose one. */
		if (r)
			r = rwrite(root, p->name, "bus/pci/drivers_probe");
		undo(r, p, "binding its driver again", &bad, err, errsize);
	}
	u->done = 0;
	return bad ? -1 : 0;
}
