/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parent links, subtrees and PCI path strings. */
#ifndef XP_TOPOLOGY_H
#define XP_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>

#include "devices.h"

/*
 * Set every device's parent: from its canonical sysfs path when known,
 * else from the bus numbers of the bridges in config space.
 */
void topo_build(struct devset *ds);
/* True if device i sits below bridge `anc` (at any depth). */
bool topo_is_below(const struct devset *ds, size_t i, size_t anc);
/* "0000:00:1c.4/00.0/01.0": root-bus device, then dev.fn per hop. */
void topo_path(const struct devset *ds, size_t i, char *buf, size_t size);
/* Child of bridge `parent` with the given dev/fn, or -1. */
int topo_child(const struct devset *ds, size_t parent, unsigned int dev,
	       unsigned int fn);

#endif
