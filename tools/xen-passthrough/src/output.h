/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Table, JSON, explanations and xl configuration lines. */
#ifndef XP_OUTPUT_H
#define XP_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "devices.h"
#include "verdict.h"

/* v holds one verdict per device of ds. */
void out_table(FILE *f, const struct devset *ds, const struct verdict *v);
void out_json(FILE *f, const struct devset *ds, const struct verdict *v, bool dom0);
void out_check(FILE *f, const struct devset *ds, size_t i, const struct verdict *v);
void out_xl(FILE *f, const struct devset *ds, size_t i, const struct verdict *v);

#endif
