/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which guest uses a PCI device, from xenstore: libxl's record
 * /libxl/pci/DDDD-BB-DD-F/domid (written before a device is given to a
 * PV or HVM guest, removed after it is taken back) and pciback's backend
 * entries /local/domain/0/backend/pci/DOMID/DEVID/dev-N.
 */
#ifndef XP_GUESTS_H
#define XP_GUESTS_H

#include <stdbool.h>

#include "options.h"
#include "util.h"
#include "xenstore.h"

enum holder_state { HOLD_NONE, HOLD_GUEST, HOLD_UNKNOWN };

struct holder {
	enum holder_state state;
	unsigned int domid;	/* HOLD_GUEST */
	char name[64];		/* its name, "" if xenstore has none */
	bool stale;		/* a record names a domain that no longer exists */
	unsigned int stale_domid;
	char why[256];		/* HOLD_UNKNOWN: why it cannot tell */
};

/* Xen runs: xenfs's capabilities file exists, or /sys/hypervisor/type is xen. */
bool xen_running(const struct options *o);
/* Who uses b, asking x. */
void guest_holder(struct xs *x, const struct bdf *b, struct holder *h);

#endif
