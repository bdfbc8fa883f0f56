// SPDX-License-Identifier: GPL-2.0
/*
 * config-why: why the symbols a config fragment asked for did not take
 * their values, in the words of the kernel's own Kconfig: linked against
 * the kconfig objects (the .o files in scripts/kconfig) that olddefconfig built in
 * the object tree, so it reads every line's Kconfig syntax as make does.
 *
 * Usage: config-why CONFIG DETAILS <REQUESTS
 *   CONFIG    the .config to explain (the audited candidate)
 *   DETAILS   file the kernel's own help text of each symbol (as
 *             menuconfig's search shows it) is appended to
 *   REQUESTS  lines "CONFIG_NAME WANTED", WANTED y, m, n or a value
 * Environment: srctree, ARCH, SRCARCH, CC, LD, ... as make exports them.
 * Prints one line per request: "CONFIG_NAME<TAB>reason"; the reason
 * "modules-off" is a tristate built in because MODULES is n. A first line
 * "!changed" says the loaded .config does not hold under this
 * environment (the explanations may then be off).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lkc.h"

static const char *tri_str(tristate t)
{
	return t == yes ? "y" : t == mod ? "m" : "n";
}

static tristate want_tri(const char *w)
{
	return !strcmp(w, "y") ? yes : !strcmp(w, "m") ? mod : no;
}

static void plain_helper(void *data, struct symbol *sym, const char *str)
{
	(void)sym;
	str_append(data, str);
}

/* e in Kconfig's syntax, without values. */
static void plain(struct expr *e, struct gstr *gs)
{
	expr_print(e, plain_helper, gs, E_NONE);
}

static tristate value_of(struct expr *e)
{
	return e ? expr_calc_value(e) : yes;
}

/* The operands of e's top-level && whose value is below need. */
static void below(struct expr *e, tristate need, struct gstr *gs, int *n)
{
	tristate v;

	if (!e)
		return;
	if (e->type == E_AND) {
		below(e->left.expr, need, gs, n);
		below(e->right.expr, need, gs, n);
		return;
	}
	v = expr_calc_value(e);
	if (v >= need)
		return;
	str_append(gs, (*n)++ ? ", " : "");
	if (e->type == E_SYMBOL) {
		str_printf(gs, "%s is %s", e->left.sym->name, sym_get_string_value(e->left.sym));
	} else if (e->type == E_NOT && e->left.expr->type == E_SYMBOL) {
		str_printf(gs, "%s is %s", e->left.expr->left.sym->name,
			   sym_get_string_value(e->left.expr->left.sym));
	} else {
		str_append(gs, "(");
		plain(e, gs);
		str_printf(gs, ") is %s", tri_str(v));
	}
}

/*
 * "needs A && B, and B is n" or "needs A, which is n": why a dependency
 * holds the value below need.
 */
static void needs(const char *what, struct expr *e, tristate need, struct gstr *gs)
{
	int n = 0;

	str_printf(gs, "%s ", what);
	plain(e, gs);
	if (e->type == E_AND) {
		str_append(gs, ", and ");
		below(e, need, gs, &n);
	}
	if (!n) /* one operand, an || or a comparison as a whole */
		str_printf(gs, ", which is %s", tri_str(expr_calc_value(e)));
}

static const char *range_end(struct symbol *s)
{
	return (s->flags & SYMBOL_CONST) ? s->name : sym_get_string_value(s);
}

/* "its range is 2 to 512": the range Kconfig applies now, if any. */
static int range(struct symbol *sym, struct gstr *gs)
{
	struct property *prop;

	for_all_properties(sym, prop, P_RANGE) {
		if (expr_calc_value(prop->visible.expr) == no)
			continue;
		str_printf(gs, "its range is %s to %s", range_end(prop->expr->left.sym),
			   range_end(prop->expr->right.sym));
		return 1;
	}
	return 0;
}

/* The symbols whose select holds sym above limit. */
static void selected_by(struct expr *e, tristate limit, struct gstr *gs, int *n)
{
	struct expr *s;

	if (!e)
		return;
	if (e->type == E_OR) {
		selected_by(e->left.expr, limit, gs, n);
		selected_by(e->right.expr, limit, gs, n);
		return;
	}
	if (expr_calc_value(e) <= limit)
		return;
	for (s = e; s->type == E_AND; s = s->left.expr)
		;
	str_append(gs, (*n)++ ? ", " : "selected by ");
	if (s->type == E_SYMBOL)
		str_printf(gs, "%s (%s)", s->left.sym->name, sym_get_string_value(s->left.sym));
	else
		plain(e, gs);
}

static struct property *first_prompt(struct symbol *sym)
{
	struct property *prop;

	for_all_prompts(sym, prop)
		return prop;
	return NULL;
}

static void explain(struct symbol *sym, const char *want, struct gstr *gs)
{
	struct property *prompt;
	tristate w, g, dep, rev;
	int n = 0;

	if (!sym || sym->type == S_UNKNOWN) {
		str_append(gs, "not a symbol of this kernel's Kconfig");
		return;
	}
	prompt = first_prompt(sym);
	dep = value_of(sym->dir_dep.expr);
	if (sym->type != S_BOOLEAN && sym->type != S_TRISTATE) {
		if (dep == no)
			needs("needs", sym->dir_dep.expr, mod, gs);
		else if (!prompt)
			str_append(gs, "it has no prompt: only its default sets it");
		else if (sym->visible == no)
			needs("its prompt needs", prompt->visible.expr, mod, gs);
		else if (!range(sym, gs))
			str_append(gs, "Kconfig did not take the value");
		return;
	}
	w = want_tri(want);
	g = sym_get_tristate_value(sym);
	rev = value_of(sym->rev_dep.expr);
	if (!sym->rev_dep.expr)
		rev = no;
	if (w == mod && sym->type == S_BOOLEAN) {
		str_append(gs, "it is a bool: y or n, never m");
	} else if (w == mod && g == yes && modules_sym && sym_get_tristate_value(modules_sym) == no) {
		str_append(gs, "modules-off");
	} else if (g < w && dep < w) {
		needs("needs", sym->dir_dep.expr, w, gs);
	} else if (g < w && !prompt) {
		str_append(gs, "it has no prompt: only a select or its default sets it");
	} else if (g < w && sym->visible < w) {
		needs("its prompt needs", prompt->visible.expr, w, gs);
	} else if (g > w && rev > w) {
		selected_by(sym->rev_dep.expr, w, gs, &n);
	} else if (g > w && !prompt) {
		str_printf(gs, "it has no prompt: its default gives %s", tri_str(g));
	} else if (g > w && sym->visible == no) {
		str_printf(gs, "its prompt is hidden and its default gives %s: ", tri_str(g));
		needs("the prompt needs", prompt->visible.expr, mod, gs);
	} else if (sym_is_choice_value(sym)) {
		str_append(gs, "a member of a choice: another member is chosen");
	} else {
		str_printf(gs, "Kconfig gives %s (dependencies %s, selects %s)", tri_str(g),
			   tri_str(dep), tri_str(rev));
	}
}

int main(int argc, char **argv)
{
	char line[4096], *name, *want;
	struct symbol *arr[2] = { NULL, NULL };
	struct gstr gs, help;
	FILE *details;

	if (argc != 3) {
		fprintf(stderr, "usage: config-why CONFIG DETAILS <REQUESTS\n");
		return 2;
	}
	conf_parse("Kconfig");
	if (conf_read(argv[1])) {
		fprintf(stderr, "config-why: cannot read %s\n", argv[1]);
		return 1;
	}
	details = fopen(argv[2], "a");
	if (!details) {
		perror(argv[2]);
		return 1;
	}
	if (conf_get_changed())
		printf("!changed\n");
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		name = line;
		want = strchr(line, ' ');
		if (!want)
			continue;
		*want++ = '\0';
		arr[0] = strncmp(name, "CONFIG_", 7) ? NULL : sym_find(name + 7);
		gs = str_new();
		explain(arr[0], want, &gs);
		printf("%s\t%s\n", name, str_get(&gs));
		str_free(&gs);
		if (arr[0]) {
			help = get_relations_str(arr, NULL);
			fputs(str_get(&help), details);
			str_free(&help);
		}
	}
	return fclose(details) ? 1 : 0;
}
