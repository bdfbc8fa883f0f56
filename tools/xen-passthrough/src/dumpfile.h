/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strict parser for `lspci -xxxx` dumps. Every dump is checked here before
 * it is handed to libpci's dump access method, whose own parser quits the
 * program on some errors and silently skips others.
 */
#ifndef XP_DUMPFILE_H
#define XP_DUMPFILE_H

#include <stddef.h>
#include <stdint.h>

#include "caps.h"
#include "util.h"

#define DUMP_MAX_DEVICES 1024
#define DUMP_MAX_BYTES (16u << 20)

struct dump_dev {
	struct bdf bdf;
	size_t len;		/* highest offset written + 1 */
	uint8_t cfg[CFG_SIZE];	/* unwritten bytes are 0xff, as in libpci */
};

struct dump {
	struct dump_dev *devs;
	size_t n;
};

/* 0 on success; otherwise -1 with a one-line reason in err. */
int dump_parse(const char *text, size_t len, struct dump *out, char *err,
	       size_t errsize);
void dump_free(struct dump *d);

#endif
