/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Isolation (the IOMMU group Linux would form on bare metal) and the
 * verdict: assignable alone, only together with others, or not safely.
 */
#ifndef XP_VERDICT_H
#define XP_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "devices.h"
#include "reset.h"

enum verdict_kind { V_ALONE, V_TOGETHER, V_NO, V_UNKNOWN };

struct verdict {
	enum verdict_kind kind;
	char reason[640];
	size_t *group;		/* isolation group, self and bridges included */
	size_t ngroup;
	size_t *with;		/* endpoints that must go along (self excluded) */
	size_t nwith;
	int non_acs_port;	/* topmost bridge on the path lacking ACS, -1 */
	int alias_bridge;	/* PCI(e-to-PCI) bridge aliasing requester IDs */
	bool mf_no_acs;		/* multi-function without ACS */
	struct reset_info reset;
};

/* Linux's pci_acs_enabled(dev, REQ_ACS_FLAGS). */
bool iso_acs_enabled(const struct devset *ds, size_t k);
void verdict_compute(const struct devset *ds, size_t i, struct verdict *v);
void verdict_free(struct verdict *v);
const char *verdict_word(enum verdict_kind k);
/* Device i and the devices that go with it, sorted; caller frees. */
size_t *verdict_members(const struct verdict *v, size_t i, size_t *n);

#endif
