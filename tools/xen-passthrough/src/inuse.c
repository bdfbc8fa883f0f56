// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

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
#define MAX_LAYERS 16

struct walk {
	const struct options *o;
	const char *root;
	struct devset *ds;
	int depth;
	char *seen[MAX_SEEN];	/* visited nodes: no cycles, no fan-out blowup */
	size_t nseen;
	bool unknown;		/* root filesystem: a layer could not be followed */
	char why[512];
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

/* --- root filesystem ---------------------------------------------------- */

struct mount {
	unsigned int maj, min;
	char mnt[PATH_MAX], fstype[64], src[PATH_MAX];
};

/* The first reason wins: it is the layer nearest to /. */
__attribute__((format(printf, 2, 3)))
static void unresolved(struct walk *w, const char *fmt, ...)
{
	va_list ap;

	if (w->unknown)
		return;
	w->unknown = true;
	va_start(ap, fmt);
	vsnprintf(w->why, sizeof(w->why), fmt, ap);
	va_end(ap);
}

/* mountinfo writes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *o = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

/* "id parent maj:min root mountpoint options [optional...] - fstype source ..." */
static bool parse_mount(char *line, struct mount *m)
{
	char *save = NULL, *t[6], *f, *fs, *src;

	for (int i = 0; i < 6; i++)
		if (!(t[i] = strtok_r(i ? NULL : line, " ", &save)))
			return false;
	if (sscanf(t[2], "%u:%u", &m->maj, &m->min) != 2)
		return false;
	while ((f = strtok_r(NULL, " ", &save)) && strcmp(f, "-"))
		;
	fs = f ? strtok_r(NULL, " ", &save) : NULL;
	src = fs ? strtok_r(NULL, " ", &save) : NULL;
	if (!src || strlen(t[4]) >= sizeof(m->mnt) || strlen(fs) >= sizeof(m->fstype) ||
	    strlen(src) >= sizeof(m->src))
		return false;
	strcpy(m->mnt, t[4]);
	strcpy(m->fstype, fs);
	strcpy(m->src, src);
	unescape(m->mnt);
	unescape(m->src);
	return true;
}

/*
 * The mount that holds path: the longest mount point that is a prefix of
 * it, the last one listed when several are stacked. mountinfo is streamed,
 * so its size does not matter. 0, or -1 with the reason in w.
 */
static int find_mount(struct walk *w, const char *path, struct mount *out)
{
	char p[PATH_MAX], *line = NULL;
	size_t cap = 0, best = 0;
	bool found = false;
	struct stat st;
	ssize_t n;
	FILE *f;
	int fd;

	if (!rpath(p, sizeof(p), w->o->proc_root, "self/mountinfo")) {
		unresolved(w, "proc root path too long");
		return -1;
	}
	fd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		unresolved(w, "cannot read %s: %s", esc(p), strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || !(f = fdopen(fd, "r"))) {
		unresolved(w, "cannot read %s: %s", esc(p),
			   S_ISREG(st.st_mode) ? strerror(errno) : "not a regular file");
		close(fd);
		return -1;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		struct mount m;
		size_t l;

		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (!parse_mount(line, &m))
			continue;
		l = strlen(m.mnt);
		if ((!strcmp(m.mnt, "/") ||
		     (!strncmp(path, m.mnt, l) && (path[l] == '/' || !path[l]))) && l >= best) {
			best = l;
			*out = m;
			found = true;
		}
	}
	if (ferror(f)) {
		unresolved(w, "cannot read %s: %s", esc(p), strerror(errno));
		found = false;
	} else if (!found) {
		unresolved(w, "%s lists no mount holding %s", esc(p), esc(path));
	}
	free(line);
	fclose(f);
	return found ? 0 : -1;
}

struct names {
	char (*v)[NAME_MAX + 1];
	size_t n;
};

static void add_name(const char *name, void *arg)
{
	struct names *s = arg;

	if (s->n == MAX_SEEN || strlen(name) > NAME_MAX)
		return;
	s->v = xrealloc(s->v, s->n + 1, sizeof(*s->v));
	strcpy(s->v[s->n++], name);
}

static void mount_dev(struct walk *w, const struct mount *m);

/* A loop device's backing file: the device of the mount that holds it. */
static void loop_file(struct walk *w, const char *dev, char *file)
{
	size_t l = strlen(file);
	struct mount m;

	if (l > 10 && !strcmp(file + l - 10, " (deleted)"))
		file[l - 10] = '\0';
	if (file[0] != '/') {
		unresolved(w, "%s is backed by '%s', not an absolute path", dev, esc(file));
		return;
	}
	if (find_mount(w, file, &m) == 0)
		mount_dev(w, &m);
}

/*
 * A block device (rel below the sysfs root): the PCI device in its path is
 * dom0's, and so is everything below it through dm, md and other stacked
 * drivers (slaves/) and loop devices (loop/backing_file).
 */
static void block_dev(struct walk *w, const char *rel)
{
	char real[PATH_MAX], file[PATH_MAX], sub[PATH_MAX + NAME_MAX + 16];
	struct names s = { 0 };
	const char *base;

	if (w->depth >= MAX_LAYERS) {
		unresolved(w, "more than %d layers of block devices below /", MAX_LAYERS);
		return;
	}
	if (rrealpath(w->root, real, sizeof(real), "%s", rel) < 0) {
		unresolved(w, "%s/%s does not exist", esc(w->root), esc(rel));
		return;
	}
	if (seen_before(w, real))
		return;
	mark_path(w->ds, real, DOM0_ROOTFS);
	base = strrchr(real, '/') ? strrchr(real, '/') + 1 : real;
	w->depth++;
	if (rexists(w->root, "%s/partition", real)) {
		/* md0p1's layers are md0's */
		snprintf(sub, sizeof(sub), "%s/..", real);
		block_dev(w, sub);
	} else {
		rlistdir(w->root, add_name, &s, "%s/slaves", real);
		for (size_t i = 0; i < s.n; i++) {
			snprintf(sub, sizeof(sub), "%s/slaves/%s", real, s.v[i]);
			block_dev(w, sub);
		}
		if (s.n) {
			/* followed */
		} else if (rread(w->root, file, sizeof(file), "%s/loop/backing_file", real) >= 0) {
			loop_file(w, base, file);
		} else if (!strncmp(base, "dm-", 3) || !strncmp(base, "md", 2) ||
			   !strncmp(base, "loop", 4)) {
			unresolved(w, "%s lists no devices below it", esc(base));
		}
	}
	w->depth--;
	free(s.v);
}

/* dm device named name (/dev/mapper/NAME): "class/block/dm-N" into rel. */
static bool dm_by_name(struct walk *w, const char *name, char *rel, size_t size)
{
	struct names s = { 0 };
	bool found = false;

	rlistdir(w->root, add_name, &s, "class/block");
	for (size_t i = 0; i < s.n && !found; i++) {
		char dm[256];

		if (!strncmp(s.v[i], "dm-", 3) &&
		    rread(w->root, dm, sizeof(dm), "class/block/%s/dm/name", s.v[i]) >= 0 &&
		    !strcmp(dm, name)) {
			snprintf(rel, size, "class/block/%s", s.v[i]);
			found = true;
		}
	}
	free(s.v);
	return found;
}

/*
 * A source under /dev by its name: /dev/NAME, /dev/mapper/NAME, /dev/VG/LV
 * (device-mapper names it VG-LV, with the dashes inside each doubled).
 */
static bool dev_by_name(struct walk *w, const char *src, char *rel, size_t size)
{
	const char *name = src + 5, *slash;
	char dm[2 * PATH_MAX], *o = dm;

	if (strncmp(src, "/dev/", 5) || !*name || strstr(name, ".."))
		return false;
	if (!strncmp(name, "mapper/", 7))
		return dm_by_name(w, name + 7, rel, size);
	slash = strchr(name, '/');
	if (!slash) {
		snprintf(rel, size, "class/block/%s", name);
		return rexists(w->root, "%s", rel);
	}
	if (strchr(slash + 1, '/'))
		return false;
	for (const char *c = name; *c; c++) {
		if (c == slash) {
			*o++ = '-';
			continue;
		}
		if (*c == '-')
			*o++ = '-';
		*o++ = *c;
	}
	*o = '\0';
	return dm_by_name(w, dm, rel, size);
}

/* Every member device of the btrfs filesystem that has rel among them. */
static void btrfs_members(struct walk *w, const char *rel)
{
	struct names fs = { 0 };
	char want[PATH_MAX];

	if (rrealpath(w->root, want, sizeof(want), "%s", rel) < 0)
		return;
	rlistdir(w->root, add_name, &fs, "fs/btrfs");
	for (size_t i = 0; i < fs.n; i++) {
		struct names dev = { 0 };
		bool member = false;

		rlistdir(w->root, add_name, &dev, "fs/btrfs/%s/devices", fs.v[i]);
		for (size_t j = 0; j < dev.n && !member; j++) {
			char real[PATH_MAX];

			member = rrealpath(w->root, real, sizeof(real), "fs/btrfs/%s/devices/%s",
					   fs.v[i], dev.v[j]) > 0 && !strcmp(real, want);
		}
		for (size_t j = 0; member && j < dev.n; j++) {
			char sub[2 * NAME_MAX + 32];

			snprintf(sub, sizeof(sub), "fs/btrfs/%s/devices/%s", fs.v[i], dev.v[j]);
			block_dev(w, sub);
		}
		free(dev.v);
	}
	free(fs.v);
}

/*
 * The block device a mount comes from: its maj:min when that is a real
 * device; else (btrfs, and others with an anonymous maj:min) stat() of its
 * source, or the source's name under /dev; else it cannot be told.
 */
static void mount_dev(struct walk *w, const struct mount *m)
{
	char rel[PATH_MAX];
	struct stat st;

	if (m->maj) {
		snprintf(rel, sizeof(rel), "dev/block/%u:%u", m->maj, m->min);
	} else if (m->src[0] == '/' && stat(m->src, &st) == 0 && S_ISBLK(st.st_mode) &&
		   rexists(w->root, "dev/block/%u:%u", major(st.st_rdev), minor(st.st_rdev))) {
		snprintf(rel, sizeof(rel), "dev/block/%u:%u", major(st.st_rdev),
			 minor(st.st_rdev));
	} else if (!dev_by_name(w, m->src, rel, sizeof(rel))) {
		unresolved(w, "%s is %s from '%s', which is not a block device this tool can follow",
			   esc(m->mnt), esc(m->fstype), esc(m->src));
		return;
	}
	block_dev(w, rel);
	if (!strcmp(m->fstype, "btrfs"))
		btrfs_members(w, rel);
}

/* When the root's device is unknown: every device with a disk below it. */
static void maybe_disk(const char *name, void *arg)
{
	struct walk *w = arg;
	char real[PATH_MAX];

	if (rrealpath(w->root, real, sizeof(real), "class/block/%s", name) > 0)
		mark_path(w->ds, real, DOM0_MAYBE_ROOTFS);
}

static void mark_rootfs(const struct options *o, struct devset *ds)
{
	struct walk w = { .o = o, .root = o->sysfs_root, .ds = ds };
	struct mount m;

	if (find_mount(&w, "/", &m) == 0)
		mount_dev(&w, &m);
	walk_done(&w);
	if (!w.unknown)
		return;
	/* Fail closed: any of them could hold it. */
	ds->root_unknown = xstrdup(w.why);
	rlistdir(o->sysfs_root, maybe_disk, &w, "class/block");
	for (size_t i = 0; i < ds->n; i++)
		if ((ds->d[i].caps.class >> 16) == 0x01) /* mass storage */
			ds->d[i].dom0_use |= DOM0_MAYBE_ROOTFS;
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
	mask &= ~DOM0_MAYBE_ROOTFS; /* said with its reason, see devset.root_unknown */
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
