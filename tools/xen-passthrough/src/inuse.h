/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Devices dom0 cannot give away: root filesystem, console, default route. */
#ifndef XP_INUSE_H
#define XP_INUSE_H

#include "devices.h"
#include "options.h"

void inuse_mark(const struct options *o, struct devset *ds);
/* "root filesystem, console" for a DOM0_* mask, into buf. */
void inuse_names(unsigned int mask, char *buf, size_t size);
/* True when /proc/xen/capabilities says control_d. */
bool inuse_is_dom0(const struct options *o);

#endif
