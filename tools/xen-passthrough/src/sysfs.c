// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysfs.h"

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
	fd = open(p, O_RDONLY | O_CLOEXEC);
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
	int fd;
	char p[PATH_MAX];
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	ok = vrpath(p, sizeof(p), root, fmt, ap);
	va_end(ap);
	if (!ok)
		return NULL;
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = malloc(cap + 1);
	while (buf) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r < 0) {
				free(buf);
				buf = NULL;
			}
			break;
		}
		n += (size_t)r;
		if (n == cap) {
			char *nb = cap >= max ? NULL : realloc(buf, cap * 2 + 1);

			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	close(fd);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int rwrite(const char *root, const char *val, const char *fmt, ...)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, err = 0;

	WITH_PATH(p, root, fmt);
	fd = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) < 0 && !err)
		err = -errno;
	return err;
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
