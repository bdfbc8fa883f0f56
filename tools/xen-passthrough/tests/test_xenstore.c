// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The xenstore wire protocol against a fake xenstored (a child process on
 * a unix socket), the directory tree that stands in for xenstore, and
 * guest_holder() over both.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guests.h"
#include "tap.h"
#include "xenstore.h"

struct hdr {
	uint32_t type, req_id, tx_id, len;
};

static int readn(int fd, void *buf, size_t n)
{
	char *p = buf;

	while (n) {
		ssize_t r = read(fd, p, n);

		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static void reply(int fd, uint32_t type, uint32_t id, const char *data, size_t len)
{
	struct hdr h = { type, id, 0, (uint32_t)len };

	if (write(fd, &h, sizeof(h)) != (ssize_t)sizeof(h) ||
	    (len && write(fd, data, len) != (ssize_t)len))
		_exit(1);
}

static const struct {
	const char *path, *value;
	size_t len;
} nodes[] = {
	{ "/libxl/pci/0000-01-00-0/domid", "3", 1 },
	{ "/local/domain/3", "", 0 },
	{ "/local/domain/3/name", "win10", 5 },
	{ "/local/domain/0/backend/pci", "3\0", 2 },
	{ "/local/domain/0/backend/pci/3", "0\0", 2 },
	{ "/local/domain/0/backend/pci/3/0", "num_devs\0dev-0\0state-0\0", 23 },
	{ "/local/domain/0/backend/pci/3/0/dev-0", "0000:02:00.0", 12 },
	{ "/dir", "a\0bb\0ccc\0", 9 },
};

/* One connection: answer from nodes[], with special paths for errors. */
static void serve(int c)
{
	char path[XS_PAYLOAD_MAX + 1];
	struct hdr h;

	while (readn(c, &h, sizeof(h)) == 0 && h.len <= XS_PAYLOAD_MAX &&
	       readn(c, path, h.len) == 0) {
		size_t i;

		path[h.len] = '\0';
		if (!strcmp(path, "/slow")) {
			sleep(30);
			continue;
		}
		if (!strcmp(path, "/close"))
			break;
		if (!strcmp(path, "/badid")) {
			reply(c, h.type, h.req_id + 1, "x", 1);
			continue;
		}
		if (!strcmp(path, "/huge")) {
			struct hdr big = { h.type, h.req_id, 0, XS_PAYLOAD_MAX + 1 };

			if (write(c, &big, sizeof(big)) < 0)
				_exit(1);
			continue;
		}
		if (!strcmp(path, "/watched")) {
			reply(c, XS_WATCH_EVENT, 0, "/w\0tok\0", 7);
			reply(c, h.type, h.req_id, "v", 1);
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(nodes); i++)
			if (!strcmp(nodes[i].path, path))
				break;
		if (i == ARRAY_SIZE(nodes))
			reply(c, XS_ERROR, h.req_id, "ENOENT", 7);
		else
			reply(c, h.type, h.req_id, nodes[i].value, nodes[i].len);
	}
	close(c);
}

static pid_t daemon_at(const char *sock)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	pid_t pid;

	strcpy(sa.sun_path, sock);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 4) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		/* A process per connection, all in one group the test kills. */
		setpgid(0, 0);
		signal(SIGCHLD, SIG_IGN);
		for (;;) {
			int c = accept(s, NULL, NULL);

			if (c >= 0 && fork() == 0) {
				serve(c);
				_exit(0);
			}
			if (c >= 0)
				close(c);
		}
	}
	setpgid(pid, pid);
	close(s);
	return pid;
}

static struct {
	char names[8][16];
	int n;
} got;

static void collect(const char *name, void *arg)
{
	(void)arg;
	if (got.n < 8)
		snprintf(got.names[got.n++], sizeof(got.names[0]), "%s", name);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

int main(void)
{
	char dir[] = "/tmp/xp-xs-XXXXXX", sock[64], buf[64], why[256], path[128];
	struct options o = { .proc_root = "/nonexistent" };
	struct bdf gpu = { 0, 1, 0, 0 }, nic = { 0, 2, 0, 0 }, other = { 0, 5, 0, 0 };
	struct holder h;
	struct xs x;
	pid_t pid;
	int r;

	if (!ok(mkdtemp(dir) != NULL, "temporary directory"))
		return tap_done();
	snprintf(sock, sizeof(sock), "%s/socket", dir);
	pid = daemon_at(sock);
	if (!ok(pid > 0, "fake xenstored listens on %s", sock))
		return tap_done();

	o.xenstore_root = sock;
	r = xs_open(&o, &x, why, sizeof(why));
	ok(r == 0 && x.fd >= 0, "--xenstore-root naming a socket connects to it (%s)", r ? why : "");
	r = xs_read(&x, "/local/domain/3/name", buf, sizeof(buf));
	ok(r == 5 && !strcmp(buf, "win10"), "XS_READ returns the value (%d '%s')", r, buf);
	r = xs_read(&x, "/local/domain/3/name", buf, 4);
	ok(r == 3 && !strcmp(buf, "win"), "a value longer than the buffer is cut, NUL-terminated");
	r = xs_read(&x, "/local/domain/9", buf, sizeof(buf));
	ok(r == -ENOENT, "XS_ERROR ENOENT is -ENOENT (%d)", r);
	got.n = 0;
	r = xs_directory(&x, "/dir", collect, NULL);
	ok(r == 3 && got.n == 3 && !strcmp(got.names[0], "a") && !strcmp(got.names[2], "ccc"),
	   "XS_DIRECTORY lists the NUL-separated children (%d)", r);
	r = xs_read(&x, "/watched", buf, sizeof(buf));
	ok(r == 1 && !strcmp(buf, "v"), "a watch event before the reply is skipped");
	ok(xs_read(&x, "/a//b", buf, sizeof(buf)) == -EINVAL &&
	   xs_read(&x, "/a/../b", buf, sizeof(buf)) == -EINVAL &&
	   xs_read(&x, "rel", buf, sizeof(buf)) == -EINVAL,
	   "paths xenstore would reject are not sent");
	guest_holder(&x, &gpu, &h);
	ok(h.state == HOLD_GUEST && h.domid == 3 && !strcmp(h.name, "win10"),
	   "libxl's /libxl/pci record names domain 3 (win10)");
	guest_holder(&x, &nic, &h);
	ok(h.state == HOLD_GUEST && h.domid == 3, "pciback's backend dev-0 names domain 3");
	guest_holder(&x, &other, &h);
	ok(h.state == HOLD_NONE, "a device in neither is not held");
	r = xs_read(&x, "/badid", buf, sizeof(buf));
	ok(r == -EPROTO, "a reply to another request is a protocol error (%d)", r);
	xs_close(&x);

	xs_open(&o, &x, why, sizeof(why));
	r = xs_read(&x, "/huge", buf, sizeof(buf));
	ok(r == -EPROTO, "a payload over 4096 bytes is a protocol error (%d)", r);
	xs_close(&x);
	xs_open(&o, &x, why, sizeof(why));
	x.timeout_ms = 300;
	r = xs_read(&x, "/slow", buf, sizeof(buf));
	ok(r == -ETIMEDOUT, "a daemon that does not answer times out (%d)", r);
	xs_close(&x);
	xs_open(&o, &x, why, sizeof(why));
	r = xs_read(&x, "/close", buf, sizeof(buf));
	ok(r == -ECONNRESET, "a daemon that hangs up is an error (%d)", r);
	guest_holder(&x, &gpu, &h);
	ok(h.state == HOLD_UNKNOWN && strstr(h.why, "/libxl/pci/0000-01-00-0/domid"),
	   "then the holder is unknown, with the reason (%s)", h.why);
	xs_close(&x);
	kill(-pid, SIGKILL);
	waitpid(pid, NULL, 0);

	/* The directory tree that stands in for xenstore. */
	snprintf(path, sizeof(path), "%s/tree/local/domain/5", dir);
	ok(system((snprintf(why, sizeof(why), "mkdir -p %s %s/tree/libxl/pci/0000-01-00-0", path,
			    dir), why)) == 0, "tree");
	snprintf(path, sizeof(path), "%s/tree/local/domain/5/name", dir);
	write_file(path, "hvm1\n");
	snprintf(path, sizeof(path), "%s/tree/libxl/pci/0000-01-00-0/domid", dir);
	write_file(path, "5");
	snprintf(path, sizeof(path), "%s/tree", dir);
	o.xenstore_root = path;
	r = xs_open(&o, &x, why, sizeof(why));
	ok(r == 0 && x.fd < 0, "--xenstore-root naming a directory reads it as a tree");
	r = xs_read(&x, "/local/domain/5/name", buf, sizeof(buf));
	ok(r == 4 && !strcmp(buf, "hvm1"), "a file is a value, its newline dropped");
	r = xs_read(&x, "/local/domain/5", buf, sizeof(buf));
	ok(r == 0 && !buf[0], "a directory is a node with an empty value");
	got.n = 0;
	ok(xs_directory(&x, "/local/domain/5/name", collect, NULL) == 0,
	   "a file has no children");
	ok(xs_read(&x, "/local/domain/6", buf, sizeof(buf)) == -ENOENT, "missing: -ENOENT");
	guest_holder(&x, &gpu, &h);
	ok(h.state == HOLD_GUEST && h.domid == 5 && !strcmp(h.name, "hvm1"),
	   "guest_holder over the tree");
	xs_close(&x);
	o.xenstore_root = "/nonexistent/xenstore";
	r = xs_open(&o, &x, why, sizeof(why));
	ok(r < 0 && strstr(why, "No such file"), "a missing --xenstore-root fails (%s)", why);
	snprintf(why, sizeof(why), "rm -rf '%s'", dir);
	ok(system(why) == 0, "cleanup");
	return tap_done();
}
