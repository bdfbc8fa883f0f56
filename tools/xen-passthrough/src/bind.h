/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Moving functions between their driver and xen-pciback through sysfs, as
 * steps that are recorded so that a failure part way can be undone.
 */
#ifndef XP_BIND_H
#define XP_BIND_H

#include <stdbool.h>
#include <stddef.h>

#include "devices.h"

#define PCIBACK_DIR "bus/pci/drivers/pciback"

/* Steps done, in the order assign and release do them. */
#define B_SLOT_ADDED 0x01	/* assign: new_slot */
#define B_OVERRIDE_SET 0x02	/* assign: driver_override = pciback */
#define B_UNBOUND 0x04		/* assign: unbound from its driver */
#define B_BOUND 0x08		/* assign: bound to pciback */
#define B_PB_UNBOUND 0x10	/* release: unbound from pciback */
#define B_SLOT_REMOVED 0x20	/* release: remove_slot */
#define B_OVERRIDE_CLEARED 0x40	/* release: driver_override cleared */
#define B_PROBED 0x80		/* release: drivers_probe */

struct bind_undo {
	unsigned int done;	/* B_* */
	char old_override[64];	/* driver_override before, "" if unset */
	char old_driver[64];	/* driver before an assign */
};

/*
 * Every move, with or without --persist, holds this from before it reads
 * the devices until it is done: pciback's sysfs directory locked with
 * lock_dir_wait, so that two moves never act on a state the other is
 * changing. The fd to close; -2 when pciback is not loaded (no directory:
 * no move writes to sysfs then); -1 with err.
 */
int bind_lock(const char *sysfs_root, char *err, size_t errsize);
/* 1 if pciback's sysfs directory exists. */
int bind_pciback_present(const char *sysfs_root);
/*
 * Before anything is written: every control file the move and its undo
 * would write exists, lies inside the sysfs root and is writable. 0, or
 * -1 with the reason in err.
 */
int bind_check(const char *root, const struct pdev *p, bool assign, char *err,
	       size_t errsize);
/*
 * new_slot (unless pciback/slots lists it already), driver_override,
 * unbind from the current driver, bind to pciback. 0, or -1 with the
 * reason in err; u records what was done either way.
 */
int bind_assign(const char *root, const struct pdev *p, struct bind_undo *u,
		char *err, size_t errsize);
/* Unbind from pciback, remove_slot, clear driver_override, drivers_probe. */
int bind_release(const char *root, const struct pdev *p, struct bind_undo *u,
		 char *err, size_t errsize);
/*
 * Undo the steps u records, back to the state before. 0, or -1 with the
 * steps that failed appended to err (which may hold text already).
 */
int bind_undo(const char *root, const struct pdev *p, struct bind_undo *u,
	      char *err, size_t errsize);

#endif
