// SPDX-License-Identifier: GPL-2.0-or-later
/* pciback.conf: parse, round-trip, edit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "persist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bdf b = { 0x12, 0x34, 0x1f, 7 };
	struct persist p, q;
	char err[128];
	size_t len;
	char *out;

	if (persist_parse((const char *)data, size, &p, err, sizeof(err)) < 0)
		return 0;
	out = persist_format(&p, &len);
	/* Identical, except that a missing final newline gets added. */
	if (!(len == size || (len == size + 1 && out[size] == '\n')) || memcmp(out, data, size))
		abort();
	if (persist_parse(out, len, &q, err, sizeof(err)) < 0 || q.n != p.n)
		abort();
	free(out);
	persist_free(&q);
	persist_remove(&p, &b);
	if (persist_has(&p, &b) || !persist_add(&p, &b) || !persist_has(&p, &b) ||
	    persist_add(&p, &b) || !persist_remove(&p, &b) || persist_has(&p, &b))
		abort();
	persist_free(&p);
	return 0;
}
