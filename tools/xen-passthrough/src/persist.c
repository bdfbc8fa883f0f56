// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "persist.h"
#include "sysfs.h"

static const char header[] =
	"# PCI devices that xen-pciback seizes at boot, one BDF per line.\n"
	"# Written by xen-passthrough(8), read by dom0-initramfs.\n";

static void add_line(struct persist *p, const char *s, size_t n, bool has,
		     const struct bdf *b)
{
	struct persist_line *l;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		p->l = xrealloc(p->l, p->cap, sizeof(*p->l));
	}
	l = &p->l[p->n++];
	l->text = xcalloc(1, n + 1);
	memcpy(l->text, s, n);
	l->has_bdf = has;
	if (has)
		l->bdf = *b;
}

/* One line without its newline: comment/blank, or a BDF. */
static int parse_line(const char *s, size_t n, struct bdf *b, bool *has)
{
	const char *hash = memchr(s, '#', n);
	size_t a = 0, e = hash ? (size_t)(hash - s) : n;

	while (a < e && (s[a] == ' ' || s[a] == '\t'))
		a++;
	while (e > a && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r'))
		e--;
	*has = e > a;
	if (!*has)
		return 0;
	return bdf_parse_full(s + a, e - a, b) ? 0 : -1;
}

int persist_parse(const char *text, size_t len, struct persist *p, char *err,
		  size_t errsize)
{
	size_t pos = 0, lineno = 0;

	memset(p, 0, sizeof(*p));
	if (len > PERSIST_MAX_BYTES || memchr(text, '\0', len)) {
		snprintf(err, errsize, "file too large or not text");
		return -1;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - text - pos) : len - pos;
		struct bdf b;
		bool has;

		lineno++;
		if (n > PERSIST_MAX_LINE || parse_line(text + pos, n, &b, &has) < 0) {
			snprintf(err, errsize, "line %zu: expected a BDF like 0000:01:00.0",
				 lineno);
			persist_free(p);
			return -1;
		}
		add_line(p, text + pos, n, has, &b);
		pos += n + 1;
	}
	return 0;
}

char *persist_format(const struct persist *p, size_t *len)
{
	size_t total = 1, off = 0;
	char *out;

	for (size_t i = 0; i < p->n; i++)
		total += strlen(p->l[i].text) + 1;
	out = xcalloc(1, total);
	for (size_t i = 0; i < p->n; i++) {
		size_t n = strlen(p->l[i].text);

		memcpy(out + off, p->l[i].text, n);
		off += n;
		out[off++] = '\n';
	}
	out[off] = '\0';
	if (len)
		*len = off;
	return out;
}

bool persist_has(const struct persist *p, const struct bdf *b)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->l[i].has_bdf && bdf_eq(&p->l[i].bdf, b))
			return true;
	return false;
}

bool persist_add(struct persist *p, const struct bdf *b)
{
	char s[BDF_STRLEN];

	if (persist_has(p, b))
		return false;
	bdf_fmt(b, s, sizeof(s));
	add_line(p, s, strlen(s), true, b);
	return true;
}

bool persist_remove(struct persist *p, const struct bdf *b)
{
	size_t j = 0;

	for (size_t i = 0; i < p->n; i++) {
		if (p->l[i].has_bdf && bdf_eq(&p->l[i].bdf, b))
			free(p->l[i].text);
		else
			p->l[j++] = p->l[i];
	}
	if (j == p->n)
		return false;
	p->n = j;
	return true;
}

/*
 * The whole file, or NULL with the reason in err. Only a file that does not
 * exist (ENOENT from open itself) counts as empty: every other failure
 * stops the command, so a file that could not be read is never replaced.
 */
static char *read_conf(const char *path, size_t *len, bool *missing, char *err,
		       size_t errsize)
{
	size_t n = 0, cap;
	struct stat st;
	char *buf;
	int fd;

	*missing = false;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			*missing = true;
			return NULL;
		}
		snprintf(err, errsize, "cannot read %s: %s", esc(path), strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errsize, "cannot read %s: %s", esc(path), strerror(errno));
		close(fd);
		return NULL;
	}
	if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode)) {
		snprintf(err, errsize, "%s is %s", esc(path), S_ISDIR(st.st_mode) ?
			 "a directory, not a seize list file" : "not a regular file");
		close(fd);
		return NULL;
	}
	if (st.st_size > (off_t)PERSIST_MAX_BYTES) {
		snprintf(err, errsize, "%s is too large (%lld bytes; a seize list has at most %u)",
			 esc(path), (long long)st.st_size, PERSIST_MAX_BYTES);
		close(fd);
		return NULL;
	}
	cap = (size_t)st.st_size + 1;
	buf = xcalloc(1, cap + 1);
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errsize, "cannot read %s: %s", esc(path), strerror(errno));
			break;
		}
		if (r == 0) {
			close(fd);
			buf[n] = '\0';
			*len = n;
			return buf;
		}
		n += (size_t)r;
		if (n == cap) { /* it grew while we read */
			if (cap > PERSIST_MAX_BYTES) {
				snprintf(err, errsize, "%s is too large (a seize list has at most %u bytes)",
					 esc(path), PERSIST_MAX_BYTES);
				break;
			}
			cap *= 2;
			buf = xrealloc(buf, cap + 1, 1);
		}
	}
	close(fd);
	free(buf);
	return NULL;
}

int persist_load(const char *path, struct persist *p, char *err, size_t errsize)
{
	size_t len = 0;
	bool missing;
	char *text = read_conf(path, &len, &missing, err, errsize);
	char why[192];
	int ret;

	if (!text) {
		memset(p, 0, sizeof(*p));
		if (missing)
			return persist_parse(header, sizeof(header) - 1, p, err, errsize);
		return -1;
	}
	ret = persist_parse(text, len, p, why, sizeof(why));
	if (ret < 0)
		snprintf(err, errsize, "%s: %s", esc(path), why);
	free(text);
	return ret;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * The file a save must replace: path itself, or the end of its chain of
 * symlinks (a symlink stays one; the file it points to gets the content).
 */
static int conf_target(const char *path, char *out, size_t size, char *err,
		       size_t errsize)
{
	char cur[PATH_MAX], link[PATH_MAX], next[PATH_MAX * 2];

	strlcpy0(cur, path, sizeof(cur));
	for (int hops = 0;; hops++) {
		struct stat st;
		ssize_t n;
		char *slash;

		if (lstat(cur, &st) < 0) {
			if (errno == ENOENT) /* a file to create */
				break;
			snprintf(err, errsize, "cannot write %s: %s", esc(path), strerror(errno));
			return -1;
		}
		if (!S_ISLNK(st.st_mode))
			break;
		n = hops < 40 ? readlink(cur, link, sizeof(link) - 1) : -1;
		if (n <= 0) {
			snprintf(err, errsize, "cannot write %s: %s", esc(path),
				 hops < 40 ? strerror(errno) : strerror(ELOOP));
			return -1;
		}
		link[n] = '\0';
		slash = strrchr(cur, '/');
		if (link[0] == '/' || !slash)
			snprintf(next, sizeof(next), "%s", link);
		else
			snprintf(next, sizeof(next), "%.*s/%s", (int)(slash - cur), cur, link);
		if (strlen(next) >= sizeof(cur)) {
			snprintf(err, errsize, "path too long: %s", esc(next));
			return -1;
		}
		strlcpy0(cur, next, sizeof(cur));
	}
	if (strlen(cur) >= size) {
		snprintf(err, errsize, "path too long: %s", esc(cur));
		return -1;
	}
	strlcpy0(out, cur, size);
	return 0;
}

static int mkdir_p(char *dir, char *err, size_t errsize)
{
	for (char *c = dir + 1;; c++) {
		char save = *c;

		if (save != '/' && save != '\0')
			continue;
		*c = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			snprintf(err, errsize, "cannot create %s: %s", esc(dir), strerror(errno));
			*c = save;
			return -1;
		}
		*c = save;
		if (!save)
			return 0;
	}
}

int persist_prepare(const char *path, const struct persist *p, struct persist_tx *tx,
		    char *err, size_t errsize)
{
	char *slash, *text;
	size_t len;
	int fd, ret = -1;

	memset(tx, 0, sizeof(*tx));
	if (conf_target(path, tx->target, sizeof(tx->target), err, errsize) < 0)
		return -1;
	if (snprintf(tx->tmp, sizeof(tx->tmp), "%s.XXXXXX", tx->target) >= (int)sizeof(tx->tmp)) {
		snprintf(err, errsize, "path too long: %s", esc(path));
		return -1;
	}
	strlcpy0(tx->dir, tx->target, sizeof(tx->dir));
	slash = strrchr(tx->dir, '/');
	if (!slash)
		strlcpy0(tx->dir, ".", sizeof(tx->dir));
	else if (slash == tx->dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (strcmp(tx->dir, "/") && strcmp(tx->dir, ".") && mkdir_p(tx->dir, err, errsize) < 0)
		return -1;
	fd = mkstemp(tx->tmp);
	if (fd < 0) {
		snprintf(err, errsize, "cannot create %s: %s", esc(tx->tmp), strerror(errno));
		return -1;
	}
	text = persist_format(p, &len);
	if (write_all(fd, text, len) < 0 || fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
		snprintf(err, errsize, "cannot write %s: %s", esc(tx->tmp), strerror(errno));
		close(fd);
	} else if (close(fd) < 0) {
		snprintf(err, errsize, "cannot write %s: %s", esc(tx->tmp), strerror(errno));
	} else {
		ret = 0;
		tx->active = true;
	}
	if (ret < 0)
		unlink(tx->tmp);
	free(text);
	return ret;
}

int persist_commit(struct persist_tx *tx, char *err, size_t errsize)
{
	int dfd;

	if (!tx->active)
		return 0;
	if (rename(tx->tmp, tx->target) < 0) {
		snprintf(err, errsize, "cannot rename %s to %s: %s", esc(tx->tmp),
			 esc(tx->target), strerror(errno));
		persist_abort(tx);
		return -1;
	}
	tx->active = false;
	/* The rename itself is only durable once the directory is synced. */
	dfd = open(tx->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) < 0) {
		snprintf(err, errsize, "%s was replaced, but syncing %s failed: %s",
			 esc(tx->target), esc(tx->dir), strerror(errno));
		if (dfd >= 0)
			close(dfd);
		return -2;
	}
	close(dfd);
	return 0;
}

void persist_abort(struct persist_tx *tx)
{
	if (tx->active)
		unlink(tx->tmp);
	tx->active = false;
}

int persist_save(const char *path, const struct persist *p, char *err, size_t errsize)
{
	struct persist_tx tx;

	if (persist_prepare(path, p, &tx, err, errsize) < 0)
		return -1;
	return persist_commit(&tx, err, errsize);
}

int persist_lock(const char *path, char *err, size_t errsize)
{
	char target[PATH_MAX], dir[PATH_MAX], *slash;

	if (conf_target(path, target, sizeof(target), err, errsize) < 0)
		return -1;
	strlcpy0(dir, target, sizeof(dir));
	slash = strrchr(dir, '/');
	if (!slash)
		strlcpy0(dir, ".", sizeof(dir));
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (strcmp(dir, "/") && strcmp(dir, ".") && mkdir_p(dir, err, errsize) < 0)
		return -1;
	return lock_dir_wait(dir, err, errsize);
}

void persist_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

void persist_free(struct persist *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->l[i].text);
	free(p->l);
	memset(p, 0, sizeof(*p));
}
