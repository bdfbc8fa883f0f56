/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Minimal JSON writing with correct string escaping. */
#ifndef XP_JSON_H
#define XP_JSON_H

#include <stdbool.h>
#include <stdio.h>

/* Quoted, escaped JSON string; invalid UTF-8 bytes become U+FFFD. */
void json_str(FILE *f, const char *s);
void json_key(FILE *f, const char *key, bool *first);

#endif
