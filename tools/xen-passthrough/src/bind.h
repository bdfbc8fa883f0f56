/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Moving functions between their driver and xen-pciback through sysfs. */
#ifndef XP_BIND_H
#define XP_BIND_H

#include <stddef.h>

#include "devices.h"

#define PCIBACK_DIR "bus/pci/drivers/pciback"

/* 1 if pciback's sysfs directory exists. */
int bind_pciback_present(const char *sysfs_root);
/*
 * new_slot, unbind from the current driver, bind to pciback. Devices
 * already owned by pciback are skipped. 0, or -1 after xp_err.
 */
int bind_assign(const char *sysfs_root, const struct pdev *p);
/* Unbind from pciback, drop the slot, and let the kernel reprobe. */
int bind_release(const char *sysfs_root, const struct pdev *p);

#endif
