// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sysfs.h"
#include "util.h"
#include "xenstore.h"

struct xs_hdr {
	uint32_t type, req_id, tx_id, len;
};

int xs_open_path(struct xs *x, const char *path, char *why, size_t whysize)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	x->fd = -1;
	x->tree[0] = '\0';
	x->timeout_ms = XS_TIMEOUT_MS;
	strlcpy0(x->where, path, sizeof(x->where));
	if (stat(path, &st) < 0) {
		snprintf(why, whysize, "%s: %s", esc(path), strerror(errno));
		return -1;
	}
	if (S_ISSOCK(st.st_mode)) {
		if (strlen(path) >= sizeof(sa.sun_path)) {
			snprintf(why, whysize, "%s: path too long for a socket", esc(path));
			return -1;
		}
		strcpy(sa.sun_path, path);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			int e = errno;

			close(fd);
			fd = -1;
			errno = e;
		}
	} else if (S_ISCHR(st.st_mode) || S_ISREG(st.st_mode)) {
		/* the xenbus device (procfs's xenbus is a regular file) */
		fd = open(path, O_RDWR | O_CLOEXEC);
	} else {
		snprintf(why, whysize, "%s: not a socket or a xenbus device", esc(path));
		return -1;
	}
	if (fd < 0) {
		snprintf(why, whysize, "%s: %s", esc(path), strerror(errno));
		return -1;
	}
	x->fd = fd;
	return 0;
}

int xs_open(const struct options *o, struct xs *x, char *why, size_t whysize)
{
	const char *env = getenv("XENSTORED_PATH");
	const char *paths[] = { env, "/run/xenstored/socket", "/var/run/xenstored/socket",
				"/dev/xen/xenbus", NULL };
	char procbus[PATH_MAX], tried[1024] = "";
	struct stat st;

	memset(x, 0, sizeof(*x));
	x->fd = -1;
	x->timeout_ms = XS_TIMEOUT_MS;
	if (o->xenstore_root) {
		if (stat(o->xenstore_root, &st) == 0 && S_ISDIR(st.st_mode)) {
			strlcpy0(x->tree, o->xenstore_root, sizeof(x->tree));
			strlcpy0(x->where, o->xenstore_root, sizeof(x->where));
			return 0;
		}
		return xs_open_path(x, o->xenstore_root, why, whysize);
	}
	if (rpath(procbus, sizeof(procbus), o->proc_root, "xen/xenbus"))
		paths[ARRAY_SIZE(paths) - 1] = procbus;
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		size_t len = strlen(tried);

		if (!paths[i] || !paths[i][0])
			continue;
		if (xs_open_path(x, paths[i], why, whysize) == 0)
			return 0;
		snprintf(tried + len, sizeof(tried) - len, "%s%s", len ? "; " : "", why);
	}
	snprintf(why, whysize, "no xenstore to read (%s)", tried);
	return -1;
}

void xs_close(struct xs *x)
{
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
}

/* xenstore's own rules: absolute, [A-Za-z0-9_@/-], no empty component. */
static bool valid_path(const char *p)
{
	size_t n = strlen(p);

	if (p[0] != '/' || n >= 3072 || (n > 1 && p[n - 1] == '/') || strstr(p, "//"))
		return false;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("-/_@", *p)))
			return false;
	return true;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int read_full(struct xs *x, void *buf, size_t n, long deadline)
{
	char *p = buf;

	while (n) {
		struct pollfd pfd = { .fd = x->fd, .events = POLLIN };
		long left = deadline - now_ms();
		ssize_t r;
		int pr;

		if (left <= 0)
			return -ETIMEDOUT;
		pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return -errno;
		if (pr == 0)
			return -ETIMEDOUT;
		r = read(x->fd, p, n);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ECONNRESET;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		/* A daemon that went away must be an error, not SIGPIPE. */
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == ENOTSOCK) /* the xenbus device */
			w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* xenstored's error names (xsd_errors) to errno values. */
static int xs_errno(const char *s)
{
	static const struct {
		int e;
		const char *name;
	} t[] = {
		{ EINVAL, "EINVAL" }, { EACCES, "EACCES" }, { EEXIST, "EEXIST" },
		{ EISDIR, "EISDIR" }, { ENOENT, "ENOENT" }, { ENOMEM, "ENOMEM" },
		{ ENOSPC, "ENOSPC" }, { EIO, "EIO" }, { ENOTEMPTY, "ENOTEMPTY" },
		{ ENOSYS, "ENOSYS" }, { EROFS, "EROFS" }, { EBUSY, "EBUSY" },
		{ EAGAIN, "EAGAIN" }, { EISCONN, "EISCONN" }, { E2BIG, "E2BIG" },
		{ EPERM, "EPERM" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (!strcmp(s, t[i].name))
			return t[i].e;
	return EIO;
}

/* One request and its reply: payload length in *len, or -errno. */
static int request(struct xs *x, uint32_t type, const char *path, char *reply,
		   size_t *len)
{
	size_t plen = strlen(path) + 1;
	char msg[sizeof(struct xs_hdr) + XS_PAYLOAD_MAX];
	struct xs_hdr h = { type, ++x->req_id, 0, (uint32_t)plen };
	long deadline = now_ms() + x->timeout_ms;
	int r;

	if (plen > XS_PAYLOAD_MAX)
		return -E2BIG;
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), path, plen);
	r = write_full(x->fd, msg, sizeof(h) + plen);
	if (r < 0)
		return r;
	for (;;) {
		struct xs_hdr rh;

		r = read_full(x, &rh, sizeof(rh), deadline);
		if (r < 0)
			return r;
		if (rh.len > XS_PAYLOAD_MAX)
			return -EPROTO;
		r = read_full(x, reply, rh.len, deadline);
		if (r < 0)
			return r;
		reply[rh.len] = '\0';
		if (rh.type == XS_WATCH_EVENT) /* not ours: we set no watch */
			continue;
		if (rh.req_id != h.req_id)
			return -EPROTO;
		if (rh.type == XS_ERROR)
			return -xs_errno(reply);
		if (rh.type != type)
			return -EPROTO;
		*len = rh.len;
		return 0;
	}
}

int xs_read(struct xs *x, const char *path, char *buf, size_t size)
{
	char reply[XS_PAYLOAD_MAX + 1];
	size_t len;
	int r;

	if (!size)
		return -EINVAL;
	if (!valid_path(path))
		return -EINVAL;
	if (x->tree[0]) {
		struct stat st;
		char p[PATH_MAX];

		if (!rpath(p, sizeof(p), x->tree, "%s", path + 1))
			return -ENAMETOOLONG;
		if (stat(p, &st) < 0)
			return -errno;
		buf[0] = '\0';
		if (S_ISDIR(st.st_mode))
			return 0; /* a node with children and an empty value */
		r = rread(x->tree, buf, size, "%s", path + 1);
		return r < 0 ? -(errno == XP_ENOTREG ? EINVAL : errno) : r;
	}
	r = request(x, XS_READ, path, reply, &len);
	if (r < 0)
		return r;
	if (len >= size)
		len = size - 1;
	memcpy(buf, reply, len);
	buf[len] = '\0';
	return (int)strlen(buf);
}

struct tree_dir {
	void (*fn)(const char *name, void *arg);
	void *arg;
};

static void tree_entry(const char *name, void *arg)
{
	struct tree_dir *t = arg;

	t->fn(name, t->arg);
}

int xs_directory(struct xs *x, const char *path,
		 void (*fn)(const char *name, void *arg), void *arg)
{
	char reply[XS_PAYLOAD_MAX + 1];
	size_t len, off = 0;
	int r, count = 0;

	if (!valid_path(path))
		return -EINVAL;
	if (x->tree[0]) {
		struct tree_dir t = { fn, arg };
		struct stat st;
		char p[PATH_MAX];

		if (!rpath(p, sizeof(p), x->tree, "%s", path + 1))
			return -ENAMETOOLONG;
		if (stat(p, &st) < 0)
			return -errno;
		if (!S_ISDIR(st.st_mode))
			return 0; /* a leaf: no children */
		r = rlistdir(x->tree, tree_entry, &t, "%s", path + 1);
		return r < 0 ? -errno : r;
	}
	r = request(x, XS_DIRECTORY, path, reply, &len);
	if (r < 0)
		return r;
	/* NUL-terminated names, one after another */
	while (off < len) {
		size_t n = strnlen(reply + off, len - off);

		if (n)
			fn(reply + off, arg), count++;
		off += n + 1;
	}
	return count;
}
