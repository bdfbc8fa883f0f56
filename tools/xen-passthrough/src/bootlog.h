/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * boot-report: which driver claimed each device listed for seizing, and
 * when. The lists: the seize list (--conf), xen-pciback's hide=, ids=
 * and path= from the kernel command line and from
 * /sys/module/xen_pciback/parameters. The evidence: the kernel log
 * (/dev/kmsg records "PRIO,SEQ,USEC,FLAGS;MESSAGE", or dmesg lines
 * "[  SECS.USEC] MESSAGE") and the driver each device has now.
 */
#ifndef XP_BOOTLOG_H
#define XP_BOOTLOG_H

#include <stdbool.h>
#include <stddef.h>

#include "devices.h"
#include "options.h"
#include "util.h"

#define KMSG_DEFAULT "/dev/kmsg"

/*
 * One kernel log line: the time in microseconds (-1 when the line has
 * none) and where the message starts. False for a continuation line
 * (/dev/kmsg's " KEY=value") or an empty one.
 */
bool kmsg_split(const char *line, long long *usec, const char **msg);
/*
 * A message about a PCI device, "WHO dddd:bb:dd.f: REST" (WHO a driver
 * or subsystem name) or "xen_pciback: wants to seize dddd:bb:dd.f": true
 * with who, the device and rest filled in.
 */
bool kmsg_device(const char *msg, char *who, size_t whosize, struct bdf *b,
		 const char **rest);
/*
 * One hide= value, "(dddd:bb:dd.f)(bb:dd.f)..." with '*' allowed as the
 * function: calls fn for each entry (the text between the parentheses);
 * false if the value is not a sequence of parenthesised entries.
 */
bool hide_split(const char *val, void (*fn)(const char *entry, void *arg), void *arg);

/* The report for ds; exit code (1 after xp_err when the log cannot be read). */
int boot_report(const struct options *o, const struct devset *ds);

#endif
