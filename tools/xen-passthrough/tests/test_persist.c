// SPDX-License-Identifier: GPL-2.0-or-later
/* pciback.conf: parse, edit, format, atomic save. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "persist.h"
#include "sysfs.h"
#include "tap.h"

static int parse(const char *s, struct persist *p)
{
	char err[128];

	return persist_parse(s, strlen(s), p, err, sizeof(err));
}

static int count_entries(const char *dir)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

int main(void)
{
	const char *text = "# seized at boot\n0000:01:00.0\n  0000:01:00.1   # GPU audio\n\n";
	struct bdf a = { 0, 1, 0, 0 }, b = { 0, 1, 0, 1 }, c = { 0, 2, 0, 0 };
	char tmpl[] = "/tmp/xp-persist-XXXXXX", path[300], err[256];
	struct persist p, q;
	char *out;
	size_t len;
	int r;

	r = parse(text, &p);
	ok(r == 0 && p.n == 4 && persist_has(&p, &a) && persist_has(&p, &b) && !persist_has(&p, &c),
	   "parses BDFs, comments and blank lines");
	out = persist_format(&p, &len);
	ok(!strcmp(out, text), "formatting gives the file back unchanged");
	free(out);
	ok(!persist_add(&p, &a), "adding a listed device changes nothing");
	ok(persist_add(&p, &c) && persist_has(&p, &c), "adding a new device");
	ok(persist_remove(&p, &b) && !persist_has(&p, &b), "removing a device");
	ok(!persist_remove(&p, &b), "removing it again changes nothing");
	out = persist_format(&p, NULL);
	ok(!strcmp(out, "# seized at boot\n0000:01:00.0\n\n0000:02:00.0\n"), "comments survive edits");
	free(out);
	persist_free(&p);

	ok(parse("0000:01:00.0\n01:00.0\n", &p) < 0, "rejects a short BDF");
	ok(parse("0000:01:00.0 0000:01:00.1\n", &p) < 0, "rejects two BDFs on a line");
	ok(parse("xyz\n", &p) < 0, "rejects garbage");
	ok(persist_parse("0000:01:00.0\0\n", 14, &p, err, sizeof(err)) < 0, "rejects NUL bytes");
	r = parse("0000:01:00.0", &p);
	ok(r == 0 && p.n == 1 && persist_has(&p, &a), "accepts a missing final newline");
	persist_free(&p);

	if (!ok(mkdtemp(tmpl) != NULL, "temporary directory"))
		return tap_done();
	snprintf(path, sizeof(path), "%s/dom0kit/pciback.conf", tmpl);
	r = persist_load(path, &p, err, sizeof(err));
	ok(r == 0 && p.n == 2 && p.l[0].text[0] == '#' && !persist_has(&p, &a),
	   "a missing file loads as the header only");
	persist_add(&p, &a);
	r = persist_save(path, &p, err, sizeof(err));
	ok(r == 0, "save creates the directory and the file (%s)", r ? err : "");
	snprintf(path, sizeof(path), "%s/dom0kit", tmpl);
	ok(count_entries(path) == 1, "no temporary file left behind");
	snprintf(path, sizeof(path), "%s/dom0kit/pciback.conf", tmpl);
	r = persist_load(path, &q, err, sizeof(err));
	ok(r == 0 && persist_has(&q, &a) && q.n == 3, "saved file loads back");
	{
		struct stat st;

		ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644, "mode 0644");
	}
	persist_free(&q);
	persist_free(&p);
	snprintf(path, sizeof(path), "%s/dom0kit/pciback.conf/x/pciback.conf", tmpl);
	r = persist_load(path, &p, err, sizeof(err));
	ok(r < 0 && strstr(err, "Not a directory"), "load below a regular file fails (%s)", err);
	persist_parse("", 0, &p, err, sizeof(err));
	r = persist_save(path, &p, err, sizeof(err));
	ok(r < 0 && strstr(err, "Not a directory"), "save below a regular file fails with a reason (%s)", err);
	persist_free(&p);
	{
		/* A stale ENOENT must not turn a file that cannot be read into "none yet". */
		FILE *f;

		snprintf(path, sizeof(path), "%s/big.conf", tmpl);
		f = fopen(path, "w");
		for (int i = 0; f && i < (int)(PERSIST_MAX_BYTES / 16) + 1; i++)
			fputs("# 0123456789abc\n", f);
		if (f)
			fclose(f);
		errno = ENOENT;
		r = persist_load(path, &p, err, sizeof(err));
		ok(r < 0 && strstr(err, "too large"), "a file over the limit is an error (%s)", err);
		snprintf(path, sizeof(path), "%s/fifo.conf", tmpl);
		r = mkfifo(path, 0600) == 0 ? persist_load(path, &p, err, sizeof(err)) : 0;
		ok(r < 0 && strstr(err, "not a regular file"), "a FIFO is an error, not a hang (%s)", err);
		r = persist_load(tmpl, &p, err, sizeof(err));
		ok(r < 0 && strstr(err, "is a directory"), "a directory is an error (%s)", err);
	}
	{
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
		ok(system(cmd) == 0, "cleanup");
	}
	return tap_done();
}
