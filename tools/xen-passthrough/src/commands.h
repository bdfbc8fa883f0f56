/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The subcommands; each returns an exit code. */
#ifndef XP_COMMANDS_H
#define XP_COMMANDS_H

#include "options.h"

int cmd_list(const struct options *o);
int cmd_check(const struct options *o, const char *dev);
int cmd_xl_config(const struct options *o, const char *dev);
int cmd_assign(const struct options *o, const char *dev);
int cmd_release(const struct options *o, const char *dev);
int cmd_boot_report(const struct options *o);

#endif
