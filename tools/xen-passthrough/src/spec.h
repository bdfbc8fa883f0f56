/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Device specifiers: BDF, vendor:device, or PCI path. */
#ifndef XP_SPEC_H
#define XP_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "devices.h"
#include "util.h"

#define SPEC_MAX_LEN 200
#define SPEC_MAX_HOPS 16

enum spec_kind { SPEC_BDF, SPEC_ID, SPEC_PATH };

struct spec {
	enum spec_kind kind;
	struct bdf bdf;		/* BDF, or first element of a path */
	uint16_t vendor, device;
	unsigned int nhops;
	uint8_t hop_dev[SPEC_MAX_HOPS], hop_fn[SPEC_MAX_HOPS];
};

/* 0, or -1 with a reason in err. */
int spec_parse(const char *s, size_t len, struct spec *sp, char *err, size_t errsize);
/* Matching devices (at most max stored in idx); returns the match count. */
size_t spec_resolve(const struct devset *ds, const struct spec *sp, size_t *idx,
		    size_t max);

#endif
