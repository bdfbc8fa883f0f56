/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Table, JSON, explanations and xl configuration lines. */
#ifndef XP_OUTPUT_H
#define XP_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "devices.h"
#include "doctor.h"
#include "verdict.h"

/* v and doc hold one verdict and one doctor's analysis per device of ds. */
void out_table(FILE *f, const struct devset *ds, const struct verdict *v,
	       const struct doctor *doc);
void out_json(FILE *f, const struct devset *ds, const struct verdict *v,
	      const struct doctor *doc, bool dom0);
void out_check(FILE *f, const char *sysfs_root, const struct devset *ds, size_t i,
	       const struct verdict *v, const struct doctor *doc);
/*
 * The xl line for device i and its group. rdm_policy=relaxed where the
 * device has an RMRR (doc_i for device i when known, else read from
 * sysfs_root), or, where its reserved regions cannot be read, for a USB
 * controller; with notes, a note on stderr names each RMRR.
 */
void out_xl(FILE *f, const char *sysfs_root, const struct devset *ds, size_t i,
	    const struct verdict *v, const struct doctor *doc_i, bool notes);

#endif
