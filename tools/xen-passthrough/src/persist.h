/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The boot-time seize list (/etc/dom0kit/pciback.conf): one BDF per line,
 * '#' starts a comment. Lines are kept as they are so that comments survive.
 */
#ifndef XP_PERSIST_H
#define XP_PERSIST_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define PERSIST_MAX_BYTES (1u << 20)
#define PERSIST_MAX_LINE 256

struct persist_line {
	char *text;
	bool has_bdf;
	struct bdf bdf;
};

struct persist {
	struct persist_line *l;
	size_t n, cap;
};

int persist_parse(const char *text, size_t len, struct persist *p, char *err,
		  size_t errsize);
char *persist_format(const struct persist *p, size_t *len);
bool persist_has(const struct persist *p, const struct bdf *b);
/* Both return true when the list changed. */
bool persist_add(struct persist *p, const struct bdf *b);
bool persist_remove(struct persist *p, const struct bdf *b);
/*
 * A missing file loads as an empty list with the standard header; any
 * other failure to read it (too large, not a regular file, I/O error) is
 * an error with the reason in err, so that the file is never replaced.
 */
int persist_load(const char *path, struct persist *p, char *err, size_t errsize);
/*
 * Saving is atomic and durable: a temporary file in the same directory,
 * written and synced (prepare), renamed over the file and the directory
 * synced (commit). A path that is a symlink stays one: the file at the end
 * of the chain is replaced. prepare creates missing directories.
 */
struct persist_tx {
	char target[PATH_MAX];	/* the file replaced */
	char dir[PATH_MAX];	/* its directory */
	char tmp[PATH_MAX];	/* the prepared temporary file */
	bool active;		/* tmp exists and awaits commit or abort */
};

int persist_prepare(const char *path, const struct persist *p, struct persist_tx *tx,
		    char *err, size_t errsize);
/* 0; -1 when the rename failed (nothing replaced, temporary file gone);
 * -2 when the file was replaced but its directory could not be synced. */
int persist_commit(struct persist_tx *tx, char *err, size_t errsize);
void persist_abort(struct persist_tx *tx);
/* prepare and commit. */
int persist_save(const char *path, const struct persist *p, char *err, size_t errsize);
/*
 * Concurrent runs: lock the directory of the file a save replaces
 * (lock_dir_wait), creating it if missing. Take it before
 * persist_load and keep it until after persist_commit, so that nothing
 * read stays unseen. The fd to pass to persist_unlock, or -1 with err.
 */
int persist_lock(const char *path, char *err, size_t errsize);
void persist_unlock(int fd);
void persist_free(struct persist *p);

#endif
