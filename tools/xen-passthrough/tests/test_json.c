// SPDX-License-Identifier: GPL-2.0-or-later
/* JSON string escaping. */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tap.h"

static void check(const char *in, const char *want, const char *desc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_str(f, in);
	fclose(f);
	ok(!strcmp(buf, want), "%s: got %s", desc, buf);
	free(buf);
}

int main(void)
{
	check("plain", "\"plain\"", "plain text");
	check("a\"b\\c", "\"a\\\"b\\\\c\"", "quote and backslash");
	check("l1\nl2\tx\x01\x1f\x7f", "\"l1\\nl2\\tx\\u0001\\u001f\\u007f\"", "control characters");
	check("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
	      "valid UTF-8 passes");
	check("\xff\xc3", "\"\\ufffd\\ufffd\"", "invalid bytes become U+FFFD");
	check("\xc0\xaf", "\"\\ufffd\\ufffd\"", "overlong encoding rejected");
	check("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"", "surrogate rejected");
	check("\xe2\x82", "\"\\ufffd\\ufffd\"", "truncated sequence at the end");
	return tap_done();
}
