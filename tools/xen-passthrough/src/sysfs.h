/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * File access below a root directory (--sysfs-root, --proc-root), so that
 * every path the tool touches can be redirected to a fake tree in tests.
 * Paths are printf formats relative to the root.
 */
#ifndef XP_SYSFS_H
#define XP_SYSFS_H

#include <stdbool.h>
#include <stddef.h>

#define FMT(a, b) __attribute__((format(printf, a, b)))

bool rpath(char *buf, size_t size, const char *root, const char *fmt, ...) FMT(4, 5);
/*
 * Errors of our own, beyond errno values: a path that resolves outside its
 * root, and a file that is not a regular file (a FIFO would block).
 */
#define XP_EOUTSIDE 10000
#define XP_ENOTREG 10001
/* strerror() that knows the two above. */
const char *xp_strerror(int err);

/*
 * Reads open with O_NONBLOCK and take regular files only, so a FIFO in a
 * fake tree cannot hang the tool. Read a small file, trailing newline
 * removed; length or -1.
 */
int rread(const char *root, char *buf, size_t size, const char *fmt, ...) FMT(4, 5);
/* Read a whole file into a new NUL-terminated buffer (max 4 MiB); NULL
 * with errno set (EFBIG over the limit, XP_ENOTREG). */
char *rslurp(const char *root, size_t *len, const char *fmt, ...) FMT(3, 4);
/*
 * Write val to an attribute (appending, as the shell's >> would); 0 or
 * -errno. The attribute must be a regular file whose directory resolves
 * inside the root (-XP_EOUTSIDE, -XP_ENOTREG otherwise).
 */
int rwrite(const char *root, const char *val, const char *fmt, ...) FMT(3, 4);
bool rexists(const char *root, const char *fmt, ...) FMT(2, 3);
/*
 * What rwrite needs, checked without writing: the file exists, its
 * directory resolves inside the root, and it is writable. 0 or -errno
 * (-XP_EOUTSIDE). Its canonical path, for messages, goes to buf.
 */
int rwritable(const char *root, char *buf, size_t size, const char *fmt, ...) FMT(4, 5);
/* Last component of a symlink's target, e.g. the driver name; -1 if none. */
int rlinkbase(const char *root, char *buf, size_t size, const char *fmt, ...) FMT(4, 5);
/* Canonical path of a file below root, with the root's own prefix removed. */
int rrealpath(const char *root, char *buf, size_t size, const char *fmt, ...) FMT(4, 5);
/* Call fn for each entry (not . or ..) of a directory; count or -1. */
int rlistdir(const char *root, void (*fn)(const char *name, void *arg), void *arg,
	     const char *fmt, ...) FMT(4, 5);

/*
 * Every entry of a directory is a regular file or a directory (after
 * following symlinks; dangling ones are ignored): 0, or 1 with the first
 * other entry's name in bad; -1 if the directory cannot be read.
 */
int rcheck_types(const char *root, char *bad, size_t badsize, const char *fmt, ...) FMT(4, 5);

#endif
