/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading xenstore without libxenstore: the wire protocol (a 16-byte
 * header: type, request id, transaction id, payload length; XS_READ and
 * XS_DIRECTORY only) over xenstored's unix socket or the xenbus device,
 * or a directory tree standing in for it in tests (--xenstore-root: a
 * node is a file holding its value, or a directory of its children).
 */
#ifndef XP_XENSTORE_H
#define XP_XENSTORE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "options.h"

#define XS_DIRECTORY 1
#define XS_READ 2
#define XS_WATCH_EVENT 15
#define XS_ERROR 16
#define XS_PAYLOAD_MAX 4096
#define XS_TIMEOUT_MS 5000

struct xs {
	int fd;			/* socket or xenbus device; -1 for a tree */
	char tree[PATH_MAX];	/* --xenstore-root directory, "" otherwise */
	char where[PATH_MAX];	/* what it talks to, for messages */
	uint32_t req_id;
	int timeout_ms;
};

/*
 * o->xenstore_root (a directory tree or a socket) if given; else
 * $XENSTORED_PATH, /run/xenstored/socket, /var/run/xenstored/socket,
 * /dev/xen/xenbus, PROC/xen/xenbus, the first that opens. 0, or -1 with
 * the reason in why.
 */
int xs_open(const struct options *o, struct xs *x, char *why, size_t whysize);
/* Connect to a daemon socket or open a xenbus device at path. */
int xs_open_path(struct xs *x, const char *path, char *why, size_t whysize);
/*
 * The value of a node, NUL-terminated (truncated to size - 1): its
 * length, or -errno (-ENOENT: no such node; -ETIMEDOUT, -EPROTO, ...).
 */
int xs_read(struct xs *x, const char *path, char *buf, size_t size);
/* Calls fn for each child of a node: the count, or -errno. */
int xs_directory(struct xs *x, const char *path,
		 void (*fn)(const char *name, void *arg), void *arg);
void xs_close(struct xs *x);

#endif
