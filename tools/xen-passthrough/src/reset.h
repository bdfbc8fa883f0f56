/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which resets a device really has, and what else a bus reset hits. */
#ifndef XP_RESET_H
#define XP_RESET_H

#include <stdbool.h>
#include <stddef.h>

#include "devices.h"

#define RESET_DEVSPEC 0x01
#define RESET_ACPI 0x02
#define RESET_FLR 0x04
#define RESET_AF_FLR 0x08
#define RESET_PM 0x10
#define RESET_BUS 0x20
#define RESET_SLOT 0x40
#define RESET_CXL_BUS 0x80
#define RESET_FUNCTION (RESET_DEVSPEC | RESET_ACPI | RESET_FLR | RESET_AF_FLR | RESET_PM)

struct reset_info {
	unsigned int methods;	/* from config space and topology */
	unsigned int kernel;	/* from sysfs reset_method */
	bool kernel_known;
	/* No reset_method file while other devices have one: the kernel
	 * found no method (it hides the file then); kernel is 0 and the
	 * function resets of config space do not count. */
	bool kernel_hidden;
	bool caps_known;	/* enough config space was readable */
	int port;		/* bridge whose bus/slot reset applies, -1 */
	size_t *victims;	/* other devices a bus/slot reset would hit */
	size_t nvictims;
};

void reset_analyse(const struct devset *ds, size_t i, struct reset_info *r);
void reset_free(struct reset_info *r);
/* Union of both sources (without config space's function resets when
 * the kernel hides reset_method). */
unsigned int reset_all(const struct reset_info *r);
bool reset_has_function_reset(const struct reset_info *r);
/* Parse the kernel's space-separated method list; unknown names ignored. */
unsigned int reset_parse_kernel(const char *s);
/* "flr,pm,bus" into buf ("none" when empty). */
void reset_names(unsigned int m, char *buf, size_t size);

#endif
