// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "inuse.h"
#include "sysfs.h"

#define MAX_DEPTH 8

/* Mark the deepest PCI device named in a canonical sysfs path. */
static void mark_path(struct devset *ds, const char *path, unsigned int flag)
{
	struct bdf b, found;
	bool any = false;
	const char *s = path;

	while (s && *s) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		if (bdf_parse_full(s, n, &b)) {
			found = b;
			any = true;
		}
		s = e ? e + 1 : NULL;
	}
	if (any) {
		int k = devset_find(ds, &found);

		if (k >= 0)
			ds->d[k].dom0_use |= flag;
	}
}

#define MAX_SEEN 1024

struct walk {
	const char *root;
	struct devset *ds;
	int depth;
	char *seen[MAX_SEEN];	/* visited nodes: no cycles, no fan-out blowup */
	size_t nseen;
};

/* True if key was visited before (or the set is full); else records it. */
static bool seen_before(struct walk *w, const char *key)
{
	for (size_t i = 0; i < w->nseen; i++)
		if (!strcmp(w->seen[i], key))
			return true;
	if (w->nseen == MAX_SEEN)
		return true;
	w->seen[w->nseen++] = xstrdup(key);
	return false;
}

static void walk_done(struct walk *w)
{
	for (size_t i = 0; i < w->nseen; i++)
		free(w->seen[i]);
	w->nseen = 0;
}

static void block_dev(struct walk *w, const char *rel);

static void block_slave(const char *name, void *arg)
{
	struct walk *w = arg;
	char rel[NAME_MAX + 16];

	snprintf(rel, sizeof(rel), "class/block/%s", name);
	block_dev(w, rel);
}

/* A block device, following device-mapper/md slaves down to disks. */
static void block_dev(struct walk *w, const char *rel)
{
	char real[PATH_MAX];

	if (w->depth >= MAX_DEPTH ||
	    rrealpath(w->root, real, sizeof(real), "%s", rel) < 0 ||
	    seen_before(w, real))
		return;
	mark_path(w->ds, real, DOM0_ROOTFS);
	w->depth++;
	rlistdir(w->root, block_slave, w, "%s/slaves", rel);
	w->depth--;
}

static void mark_rootfs(const struct options *o, struct devset *ds)
{
	char *text = rslurp(o->proc_root, NULL, "self/mountinfo");
	char rel[PATH_MAX] = "";
	struct walk w = { .root = o->sysfs_root, .ds = ds };

	if (!text)
		return;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char majmin[32], mnt[PATH_MAX], src[PATH_MAX];
		const char *sep = strstr(line, " - ");
		unsigned int maj, min;

		if (sscanf(line, "%*s %*s %31s %*s %4095s", majmin, mnt) != 2 ||
		    strcmp(mnt, "/") || sscanf(majmin, "%u:%u", &maj, &min) != 2)
			continue;
		if (maj) {
			snprintf(rel, sizeof(rel), "dev/block/%u:%u", maj, min);
		} else if (sep && sscanf(sep, " - %*s %4095s", src) == 1 &&
			   !strncmp(src, "/dev/", 5)) {
			const char *base = strrchr(src, '/') + 1;

			snprintf(rel, sizeof(rel), "class/block/%s", base);
		}
	}
	free(text);
	if (rel[0])
		block_dev(&w, rel);
	walk_done(&w);
}

static void net_iface(struct walk *w, const char *ifname);

static void net_lower(const char *name, void *arg)
{
	if (!strncmp(name, "lower_", 6))
		net_iface(arg, name + 6);
}

static void net_iface(struct walk *w, const char *ifname)
{
	char real[PATH_MAX];

	if (w->depth >= MAX_DEPTH || strchr(ifname, '/') || ifname[0] == '.' ||
	    seen_before(w, ifname))
		return;
	if (rrealpath(w->root, real, sizeof(real), "class/net/%s/device", ifname) > 0)
		mark_path(w->ds, real, DOM0_NETWORK);
	w->depth++;
	rlistdir(w->root, net_lower, w, "class/net/%s", ifname);
	w->depth--;
}

static void mark_routes(const struct options *o, struct devset *ds)
{
	struct walk w = { .root = o->sysfs_root, .ds = ds };
	char *text = rslurp(o->proc_root, NULL, "net/route");
	char ifn[64], dst[64], mask[64], pfx[8];

	for (char *l = text ? strtok(text, "\n") : NULL; l; l = strtok(NULL, "\n"))
		if (sscanf(l, "%63s %63s %*s %*s %*s %*s %*s %63s", ifn, dst, mask) == 3 &&
		    !strcmp(dst, "00000000") && !strcmp(mask, "00000000"))
			net_iface(&w, ifn);
	free(text);
	text = rslurp(o->proc_root, NULL, "net/ipv6_route");
	for (char *l = text ? strtok(text, "\n") : NULL; l; l = strtok(NULL, "\n"))
		if (sscanf(l, "%63s %7s %*s %*s %*s %*s %*s %*s %*s %63s", dst, pfx,
			   ifn) == 3 &&
		    strspn(dst, "0") == 32 && !dst[32] && !strcmp(pfx, "00") &&
		    strcmp(ifn, "lo"))
			net_iface(&w, ifn);
	free(text);
	walk_done(&w);
}

static void fb_dev(const char *name, void *arg)
{
	struct walk *w = arg;
	char real[PATH_MAX];

	if (!strncmp(name, "fb", 2) &&
	    rrealpath(w->root, real, sizeof(real), "class/graphics/%s/device", name) > 0)
		mark_path(w->ds, real, DOM0_CONSOLE);
}

static void mark_console(const struct options *o, struct devset *ds)
{
	struct walk w = { .root = o->sysfs_root, .ds = ds };
	char active[256], real[PATH_MAX];
	char *save = NULL;

	if (rread(o->sysfs_root, active, sizeof(active), "class/tty/console/active") < 0)
		return;
	for (char *t = strtok_r(active, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		bool vt = !strncmp(t, "tty", 3) && t[3] && strspn(t + 3, "0123456789") == strlen(t + 3);

		if (vt) {
			rlistdir(o->sysfs_root, fb_dev, &w, "class/graphics");
			for (size_t i = 0; i < ds->n; i++)
				if (ds->d[i].boot_vga)
					ds->d[i].dom0_use |= DOM0_CONSOLE;
		} else if (!strchr(t, '/') && t[0] != '.' &&
			   rrealpath(o->sysfs_root, real, sizeof(real), "class/tty/%s/device", t) > 0) {
			mark_path(ds, real, DOM0_CONSOLE);
		}
	}
}

void inuse_mark(const struct options *o, struct devset *ds)
{
	if (!o->sysfs_root)
		return;
	mark_rootfs(o, ds);
	mark_console(o, ds);
	mark_routes(o, ds);
}

void inuse_names(unsigned int mask, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s%s",
		 mask & DOM0_ROOTFS ? "root filesystem" : "",
		 (mask & DOM0_ROOTFS) && (mask & (DOM0_CONSOLE | DOM0_NETWORK)) ? ", " : "",
		 mask & DOM0_CONSOLE ? "console" : "",
		 (mask & DOM0_CONSOLE) && (mask & DOM0_NETWORK) ? ", " : "",
		 mask & DOM0_NETWORK ? "default route" : "");
}

bool inuse_is_dom0(const struct options *o)
{
	char buf[256];

	return rread(o->proc_root, buf, sizeof(buf), "xen/capabilities") >= 0 &&
	       strstr(buf, "control_d");
}
