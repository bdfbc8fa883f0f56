/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Command-line options: the only state shared between modules. */
#ifndef XP_OPTIONS_H
#define XP_OPTIONS_H

#include <stdbool.h>

struct options {
	const char *sysfs_root; /* NULL: no sysfs information (dump only) */
	const char *proc_root;
	const char *dump;	/* libpci dump file instead of live access */
	const char *conf;	/* persist file */
	const char *xenstore_root; /* tree or socket instead of xenstored, or NULL */
	const char *kmsg;	/* kernel log file instead of /dev/kmsg, or NULL */
	bool json;
	bool force;
	bool persist;
	bool no_names;
};

#define XP_DEFAULT_CONF "/etc/dom0kit/pciback.conf"

#endif
