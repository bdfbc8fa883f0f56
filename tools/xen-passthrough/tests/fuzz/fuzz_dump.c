// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Dumps: our strict parser, then (for accepted input) libpci's dump access
 * method on the same bytes, which must neither fail nor disagree, then the
 * whole analysis and both output formats.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices.h"
#include "doctor.h"
#include "dumpfile.h"
#include "output.h"
#include "topology.h"
#include "verdict.h"

static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd;

	(void)argc, (void)argv;
	strcpy(path, access("/dev/shm", W_OK) == 0 ? "/dev/shm/xp-fuzz-XXXXXX" : "/tmp/xp-fuzz-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		abort();
	close(fd);
	return 0;
}

static void analyse(struct devset *ds)
{
	struct options o = { .proc_root = "/nonexistent" };
	struct verdict *v = xcalloc(ds->n, sizeof(*v));
	struct doctor *doc = xcalloc(ds->n ? ds->n : 1, sizeof(*doc));
	FILE *null = fopen("/dev/null", "w");

	topo_build(ds);
	for (size_t i = 0; i < ds->n; i++) {
		verdict_compute(ds, i, &v[i]);
		doctor_analyse(&o, ds, i, &v[i].reset, NULL, NULL, &doc[i]);
	}
	out_json(null, ds, v, doc, false);
	out_table(null, ds, v, doc);
	for (size_t i = 0; i < ds->n; i++) {
		out_check(null, NULL, ds, i, &v[i], &doc[i]);
		verdict_free(&v[i]);
		doctor_free(&doc[i]);
	}
	fclose(null);
	free(doc);
	free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct options o = { .proc_root = "/nonexistent", .no_names = true, .dump = path };
	struct devset ds = { 0 };
	struct dump d;
	char err[128];
	FILE *f;

	if (dump_parse((const char *)data, size, &d, err, sizeof(err)) < 0)
		return 0;
	f = fopen(path, "w");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
	if (devset_load(&o, &ds) < 0 || ds.n != d.n)
		abort();	/* libpci disagrees with what we accepted */
	for (size_t i = 0; i < d.n; i++) {
		int k = devset_find(&ds, &d.devs[i].bdf);
		size_t n;

		if (k < 0)
			abort();
		n = ds.d[k].caps.cfg_len;
		if (n > d.devs[i].len || memcmp(ds.d[k].cfg, d.devs[i].cfg, n))
			abort();
	}
	dump_free(&d);
	analyse(&ds);
	devset_free(&ds);
	return 0;
}
