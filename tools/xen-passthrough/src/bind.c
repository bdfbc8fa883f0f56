// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "bind.h"
#include "sysfs.h"

int bind_pciback_present(const char *sysfs_root)
{
	return rexists(sysfs_root, PCIBACK_DIR "/bind");
}

static int step(int err, const struct pdev *p, const char *what)
{
	if (err)
		xp_err("%s: %s failed: %s", p->name, what, xp_strerror(-err));
	return err ? -1 : 0;
}

int bind_assign(const char *root, const struct pdev *p)
{
	if (pdev_is_pciback(p))
		return 0;
	if (step(rwrite(root, p->name, PCIBACK_DIR "/new_slot"), p,
		 "writing pciback/new_slot"))
		return -1;
	if (rexists(root, "bus/pci/devices/%s/driver_override", p->name) &&
	    step(rwrite(root, "pciback", "bus/pci/devices/%s/driver_override", p->name),
		 p, "setting driver_override"))
		return -1;
	if (p->driver[0] &&
	    step(rwrite(root, p->name, "bus/pci/devices/%s/driver/unbind", p->name),
		 p, "unbinding from its driver"))
		return -1;
	if (step(rwrite(root, p->name, PCIBACK_DIR "/bind"), p, "binding to pciback")) {
		/* Best effort: hand the device back rather than leave it driverless. */
		rwrite(root, p->name, PCIBACK_DIR "/remove_slot");
		if (rexists(root, "bus/pci/devices/%s/driver_override", p->name))
			rwrite(root, "\n", "bus/pci/devices/%s/driver_override", p->name);
		rwrite(root, p->name, "bus/pci/drivers_probe");
		return -1;
	}
	return 0;
}

int bind_release(const char *root, const struct pdev *p)
{
	if (!pdev_is_pciback(p))
		return 0;
	if (step(rwrite(root, p->name, "bus/pci/devices/%s/driver/unbind", p->name),
		 p, "unbinding from pciback"))
		return -1;
	if (rexists(root, PCIBACK_DIR "/remove_slot") &&
	    step(rwrite(root, p->name, PCIBACK_DIR "/remove_slot"), p,
		 "writing pciback/remove_slot"))
		return -1;
	if (rexists(root, "bus/pci/devices/%s/driver_override", p->name) &&
	    step(rwrite(root, "\n", "bus/pci/devices/%s/driver_override", p->name),
		 p, "clearing driver_override"))
		return -1;
	return step(rwrite(root, p->name, "bus/pci/drivers_probe"), p,
		    "reprobing drivers");
}
