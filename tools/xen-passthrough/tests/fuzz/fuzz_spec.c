// SPDX-License-Identifier: GPL-2.0-or-later
/* Device specifiers: parse, then resolve against machine-a. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"
#include "doctor.h"
#include "output.h"
#include "spec.h"
#include "topology.h"
#include "verdict.h"

static struct devset ds;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("XP_FIXTURES");
	struct options o = { .proc_root = "/nonexistent", .no_names = true };
	char path[512];

	(void)argc, (void)argv;
	snprintf(path, sizeof(path), "%s/machine-a.dump", dir ? dir : "tests/fixtures");
	o.dump = path;
	if (devset_load(&o, &ds) < 0)
		abort();
	topo_build(&ds);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[160];
	struct spec sp;
	size_t idx[4], n;

	if (spec_parse((const char *)data, size, &sp, err, sizeof(err)) < 0) {
		if (!memchr(err, '\0', sizeof(err)) || !err[0])
			abort();
		return 0;
	}
	if (size > SPEC_MAX_LEN || sp.nhops > SPEC_MAX_HOPS)
		abort();
	n = spec_resolve(&ds, &sp, idx, 4);
	if (sp.kind != SPEC_ID && n > 1)
		abort();
	for (size_t i = 0; i < n && i < 4; i++) {
		struct verdict v;
		FILE *null = fopen("/dev/null", "w");

		if (idx[i] >= ds.n)
			abort();
		verdict_compute(&ds, idx[i], &v);
		{
			struct options o = { .proc_root = "/nonexistent" };
			struct doctor d;

			doctor_analyse(&o, &ds, idx[i], &v.reset, NULL, NULL, &d);
			out_check(null, NULL, &ds, idx[i], &v, &d);
			doctor_free(&d);
		}
		verdict_free(&v);
		fclose(null);
	}
	return 0;
}
