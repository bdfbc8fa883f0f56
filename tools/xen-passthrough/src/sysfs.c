// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs.h"
#include "util.h"

static bool vrpath(char *buf, size_t size, const char *root, const char *fmt,
		   va_list ap)
{
	char rel[PATH_MAX];
	int n;

	if (!root)
		return false;
	n = vsnprintf(rel, sizeof(rel), fmt, ap);
	if (n < 0 || (size_t)n >= sizeof(rel))
		return false;
	n = snprintf(buf, size, "%s/%s", root, rel);
	return n >= 0 && (size_t)n < size;
}

const char *xp_strerror(int err)
{
	if (err == XP_EOUTSIDE)
		return "it resolves outside the sysfs root";
	if (err == XP_ENOTREG)
		return "not a regular file";
	return strerror(err);
}

/* open(O_RDONLY | O_NONBLOCK) of a regular file, or -1 with errno. */
static int open_regular(const char *p)
{
	struct stat st;
	int fd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = XP_ENOTREG;
		return -1;
	}
	return fd;
}

bool rpath(char *buf, size_t size, const char *root, const char *fmt, ...)
{
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	ok = vrpath(buf, size, root, fmt, ap);
	va_end(ap);
	return ok;
}

#define WITH_PATH(p, root, fmt)                          \
	char p[PATH_MAX];                                \
	do {                                             \
		va_list ap_;                             \
		bool ok_;                                \
		va_start(ap_, fmt);                      \
		ok_ = vrpath(p, sizeof(p), root, fmt, ap_); \
		va_end(ap_);                             \
		if (!ok_)                                \
			return -1;                       \
	} while (0)

int rread(const char *root, char *buf, size_t size, const char *fmt, ...)
{
	ssize_t n;
	int fd;

	WITH_PATH(p, root, fmt);
	if (!size)
		return -1;
	fd = open_regular(p);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
		n--;
	buf[n] = '\0';
	return (int)n;
}

char *rslurp(const char *root, size_t *len, const char *fmt, ...)
{
	const size_t max = 4u << 20;
	size_t cap = 4096, n = 0;
	char *buf;
	int fd, err = 0;
	char p[PATH_MAX];
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	ok = vrpath(p, sizeof(p), root, fmt, ap);
	va_end(ap);
	if (!ok) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	fd = open_regular(p);
	if (fd < 0)
		return NULL;
	buf = xcalloc(1, cap + 1);
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap) {
			if (cap >= max) {
				err = EFBIG;
				break;
			}
			cap *= 2;
			buf = xrealloc(buf, cap + 1, 1);
		}
	}
	close(fd);
	if (err) {
		free(buf);
		errno = err;
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* The directory of p, canonical, lies inside the canonical root. */
static bool inside_root(const char *root, const char *p)
{
	char dir[PATH_MAX], dreal[PATH_MAX], rreal[PATH_MAX];
	char *slash;
	size_t rl;

	strlcpy0(dir, p, sizeof(dir));
	slash = strrchr(dir, '/');
	if (!slash)
		return false;
	*slash = '\0';
	if (!realpath(dir[0] ? dir : "/", dreal) || !realpath(root, rreal))
		return false;
	rl = strlen(rreal);
	if (!strcmp(rreal, "/"))
		return true;
	return !strncmp(dreal, rreal, rl) && (dreal[rl] == '/' || !dreal[rl]);
}

int rwrite(const char *root, const char *val, const char *fmt, ...)
{
	size_t len = strlen(val);
	struct stat st;
	ssize_t n;
	int fd, err = 0;

	WITH_PATH(p, root, fmt);
	errno = 0;
	if (!inside_root(root, p))
		return errno == ENOENT ? -ENOENT : -XP_EOUTSIDE;
	fd = open(p, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? -XP_ENOTREG : -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -XP_ENOTREG;
	}
	n = write(fd, val, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) < 0 && !err)
		err = -errno;
	return err;
}

int rwritable(const char *root, char *buf, size_t size, const char *fmt, ...)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *base;
	char *slash;

	WITH_PATH(p, root, fmt);
	strlcpy0(buf, p, size);
	strlcpy0(dir, p, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		base = slash + 1;
		if (realpath(dir[0] ? dir : "/", real))
			snprintf(buf, size, "%s/%s", strcmp(real, "/") ? real : "", base);
	}
	errno = 0;
	if (!inside_root(root, p))
		return errno == ENOENT ? -ENOENT : -XP_EOUTSIDE;
	if (access(p, W_OK) < 0)
		return -errno;
	return 0;
}

bool rexists(const char *root, const char *fmt, ...)
{
	char p[PATH_MAX];
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	ok = vrpath(p, sizeof(p), root, fmt, ap);
	va_end(ap);
	return ok && access(p, F_OK) == 0;
}

int rlinkbase(const char *root, char *buf, size_t size, const char *fmt, ...)
{
	char target[PATH_MAX];
	const char *base;
	ssize_t n;

	WITH_PATH(p, root, fmt);
	n = readlink(p, target, sizeof(target) - 1);
	if (n <= 0)
		return -1;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= size)
		return -1;
	strcpy(buf, base);
	return (int)strlen(buf);
}

int rrealpath(const char *root, char *buf, size_t size, const char *fmt, ...)
{
	char full[PATH_MAX], rootreal[PATH_MAX];
	const char *rel;
	size_t rl;

	WITH_PATH(p, root, fmt);
	if (!realpath(p, full) || !realpath(root, rootreal))
		return -1;
	rl = strlen(rootreal);
	rel = full;
	if (strcmp(rootreal, "/") && !strncmp(full, rootreal, rl) &&
	    (full[rl] == '/' || !full[rl]))
		rel = full + rl;
	if (strlen(rel) >= size)
		return -1;
	strcpy(buf, rel);
	return (int)strlen(buf);
}

int rlistdir(const char *root, void (*fn)(const char *name, void *arg), void *arg,
	     const char *fmt, ...)
{
	struct dirent *de;
	int count = 0;
	DIR *d;

	WITH_PATH(p, root, fmt);
	d = opendir(p);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		fn(de->d_name, arg);
		count++;
	}
	closedir(d);
	return count;
}

int rcheck_types(const char *root, char *bad, size_t badsize, const char *fmt, ...)
{
	struct dirent *de;
	int ret = 0;
	DIR *d;

	WITH_PATH(p, root, fmt);
	d = opendir(p);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char q[PATH_MAX];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(q, sizeof(q), "%s/%s", p, de->d_name) >= (int)sizeof(q) ||
		    stat(q, &st) < 0)
			continue;
		if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
			strlcpy0(bad, de->d_name, badsize);
			ret = 1;
			break;
		}
	}
	closedir(d);
	return ret;
}
