// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootlog.h"
#include "json.h"
#include "persist.h"
#include "spec.h"
#include "sysfs.h"

#define KMSG_MAX (32u << 20)
#define MAX_LISTINGS 8
#define MAX_PROBES 8
#define MAX_PROBLEMS 16

bool kmsg_split(const char *line, long long *usec, const char **msg)
{
	const char *semi = strchr(line, ';');
	long long pri, seq, t;
	int n = 0;

	*usec = -1;
	*msg = line;
	if (!line[0] || line[0] == ' ')
		return false;
	/* /dev/kmsg: "PRIO,SEQ,USEC,FLAGS[,...];MESSAGE" */
	if (semi && sscanf(line, "%lld,%lld,%lld,%n", &pri, &seq, &t, &n) == 3 && n &&
	    line + n <= semi && t >= 0) {
		*usec = t;
		*msg = semi + 1;
		return true;
	}
	/* dmesg: "[   12.345678] MESSAGE" */
	if (line[0] == '[') {
		long long s, us;
		char dot;

		if (sscanf(line, "[ %lld%c%6lld]%n", &s, &dot, &us, &n) == 3 && n && dot == '.' &&
		    s >= 0 && us >= 0 && s < 1000000000000LL) {
			*usec = s * 1000000 + us;
			*msg = line + n + (line[n] == ' ');
			return true;
		}
	}
	return true;
}

static bool bdf_at(const char *s, struct bdf *b)
{
	return strlen(s) >= 12 && bdf_parse_full(s, 12, b);
}

bool kmsg_device(const char *msg, char *who, size_t whosize, struct bdf *b,
		 const char **rest)
{
	static const char wants[] = "xen_pciback: wants to seize ";
	static const char pb[] = "xen_pciback: ";
	const char *after;
	size_t n = 0;

	if (!strncmp(msg, wants, sizeof(wants) - 1)) {
		if (!bdf_at(msg + sizeof(wants) - 1, b))
			return false;
		strlcpy0(who, "xen_pciback", whosize);
		*rest = "wants to seize";
		return true;
	}
	/* pciback's "xen_pciback: BDF matches ... but is bound to DRV; not seized" */
	if (!strncmp(msg, pb, sizeof(pb) - 1) && bdf_at(msg + sizeof(pb) - 1, b) &&
	    msg[sizeof(pb) - 1 + 12] == ' ') {
		strlcpy0(who, "xen_pciback", whosize);
		*rest = msg + sizeof(pb) - 1 + 13;
		return true;
	}
	while (isalnum((unsigned char)msg[n]) || msg[n] == '_' || msg[n] == '-')
		n++;
	if (!n || n >= whosize || msg[n] != ' ' || !bdf_at(msg + n + 1, b))
		return false;
	after = msg + n + 13;
	if (*after == ' ') {
		/* a network driver's "DRIVER BDF IFNAME: ..." (netdev_info) */
		size_t k = 1;

		while (after[k] && after[k] != ' ' && after[k] != ':')
			k++;
		if (k == 1 || after[k] != ':')
			return false;
		after += k;
	}
	if (*after != ':')
		return false;
	memcpy(who, msg, n);
	who[n] = '\0';
	*rest = after + 1 + (after[1] == ' ');
	return true;
}

bool hide_split(const char *val, void (*fn)(const char *entry, void *arg), void *arg)
{
	const char *s = val;
	char entry[64];

	while (*s == ' ' || *s == '\n')
		s++;
	if (!*s)
		return true;
	while (*s) {
		const char *close;

		if (*s != '(' || !(close = strchr(s, ')')) || close == s + 1 ||
		    (size_t)(close - s - 1) >= sizeof(entry) || memchr(s + 1, '(', (size_t)(close - s - 1)))
			return false;
		memcpy(entry, s + 1, (size_t)(close - s - 1));
		entry[close - s - 1] = '\0';
		fn(entry, arg);
		s = close + 1;
		while (*s == ' ' || *s == '\n' || *s == ',')
			s++;
	}
	return true;
}

struct probe {
	char who[64];
	long long usec;
	char msg[256];
};

struct bdev {
	struct bdf bdf;
	int idx;			/* in ds, -1 when not present */
	char listed[MAX_LISTINGS][160];
	size_t nlisted;
	bool seized;			/* a pciback line about seizing it */
	long long seize_usec;
	char seize_msg[256];
	bool tried;			/* pciback's "...; not seized" about it */
	long long try_usec;
	char try_msg[256];
	struct probe p[MAX_PROBES];	/* first line of each other driver */
	size_t np;
};

struct report {
	const struct options *o;
	const struct devset *ds;
	struct bdev *d;
	size_t n, cap;
	char problems[MAX_PROBLEMS][320];
	size_t nproblems;
	const char *source;		/* what the entries being added come from */
};

static void problem(struct report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nproblems >= MAX_PROBLEMS)
		return;
	va_start(ap, fmt);
	vsnprintf(r->problems[r->nproblems++], sizeof(r->problems[0]), fmt, ap);
	va_end(ap);
}

static struct bdev *find(struct report *r, const struct bdf *b, bool add)
{
	for (size_t i = 0; i < r->n; i++)
		if (bdf_eq(&r->d[i].bdf, b))
			return &r->d[i];
	if (!add)
		return NULL;
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 8;
		r->d = xrealloc(r->d, r->cap, sizeof(*r->d));
	}
	memset(&r->d[r->n], 0, sizeof(r->d[0]));
	r->d[r->n].bdf = *b;
	r->d[r->n].idx = devset_find(r->ds, b);
	return &r->d[r->n++];
}

static void listed(struct report *r, const struct bdf *b, const char *entry)
{
	struct bdev *d = find(r, b, true);

	if (d->nlisted < MAX_LISTINGS)
		snprintf(d->listed[d->nlisted++], sizeof(d->listed[0]), "%s%s%s", r->source,
			 entry ? ": " : "", entry ? esc(entry) : "");
}

/* A specifier (BDF, vendor:device, path) from ids=/path=/hide=. */
static void add_spec(struct report *r, const char *entry, const char *shown)
{
	char err[160];
	size_t idx[32], n;
	struct spec sp;

	if (spec_parse(entry, strlen(entry), &sp, err, sizeof(err)) < 0) {
		problem(r, "%s: '%s' is malformed (%s): pciback ignores it", r->source,
			esc(shown), err);
		return;
	}
	n = spec_resolve(r->ds, &sp, idx, ARRAY_SIZE(idx));
	if (!n && sp.kind == SPEC_BDF) {
		listed(r, &sp.bdf, shown);
		return;
	}
	if (!n)
		problem(r, "%s: '%s' matches no device", r->source, esc(shown));
	for (size_t k = 0; k < n && k < ARRAY_SIZE(idx); k++)
		listed(r, &r->ds->d[idx[k]].bdf, shown);
}

static void hide_entry(const char *entry, void *arg)
{
	struct report *r = arg;
	char buf[64], shown[72];
	size_t len = strlen(entry);

	snprintf(shown, sizeof(shown), "(%s)", entry);
	if (len >= 2 && !strcmp(entry + len - 2, ".*")) {
		/* any function of the slot */
		for (unsigned int f = 0; f < 8; f++) {
			struct spec sp;
			char err[160];

			snprintf(buf, sizeof(buf), "%.*s.%u", (int)(len - 2), entry, f);
			if (spec_parse(buf, strlen(buf), &sp, err, sizeof(err)) < 0) {
				problem(r, "%s: '%s' is malformed (%s): pciback ignores it",
					r->source, esc(shown), err);
				return;
			}
			if (devset_find(r->ds, &sp.bdf) >= 0)
				listed(r, &sp.bdf, shown);
		}
		return;
	}
	add_spec(r, entry, shown);
}

/* The value of one parameter (hide, ids or path) from source r->source. */
static void param(struct report *r, const char *name, const char *val)
{
	char buf[1024], *save = NULL;

	if (!val[0] || !strcmp(val, "(null)"))
		return;
	if (!strcmp(name, "hide")) {
		if (!hide_split(val, hide_entry, r))
			problem(r, "%s: '%s' is not a list of (BDF) entries: pciback "
				"ignores it", r->source, esc(val));
		return;
	}
	strlcpy0(buf, val, sizeof(buf));
	for (char *t = strtok_r(buf, ", \n", &save); t; t = strtok_r(NULL, ", \n", &save))
		add_spec(r, t, t);
}

static void cmdline(struct report *r)
{
	char *text, *save = NULL;
	size_t len;

	text = rslurp(r->o->proc_root, &len, "cmdline");
	if (!text)
		return;
	for (char *t = strtok_r(text, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
		static const char *const names[] = { "hide", "ids", "path" };
		char src[64];

		if (strncmp(t, "xen-pciback.", 12) && strncmp(t, "xen_pciback.", 12))
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(names); k++) {
			size_t nl = strlen(names[k]);

			if (strncmp(t + 12, names[k], nl) || t[12 + nl] != '=')
				continue;
			snprintf(src, sizeof(src), "%s= on the kernel command line", names[k]);
			r->source = src;
			param(r, names[k], t + 13 + nl);
		}
	}
	free(text);
}

static void module_params(struct report *r)
{
	static const char *const names[] = { "hide", "ids", "path" };

	for (size_t k = 0; k < ARRAY_SIZE(names) && r->o->sysfs_root; k++) {
		char val[1024], src[80];

		if (rread(r->o->sysfs_root, val, sizeof(val), "module/xen_pciback/parameters/%s",
			  names[k]) <= 0)
			continue;
		snprintf(src, sizeof(src), "xen_pciback parameter %s=", names[k]);
		r->source = src;
		param(r, names[k], val);
	}
}

static int seize_list(struct report *r)
{
	struct persist pl = { 0 };
	char err[PATH_MAX + 256], src[PATH_MAX + 32];

	if (persist_load(r->o->conf, &pl, err, sizeof(err)) < 0) {
		xp_err("%s", err);
		return -1;
	}
	snprintf(src, sizeof(src), "seize list %s", esc(r->o->conf));
	r->source = src;
	for (size_t i = 0; i < pl.n; i++)
		if (pl.l[i].has_bdf)
			listed(r, &pl.l[i].bdf, NULL);
	persist_free(&pl);
	return 0;
}

/* The whole log: /dev/kmsg one record per read() until EAGAIN, or a file. */
static char *read_log(const char *path, size_t *len)
{
	size_t cap = 1 << 16;
	char *buf;
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode))) {
		close(fd);
		errno = XP_ENOTREG;
		return NULL;
	}
	buf = xcalloc(cap, 1);
	*len = 0;
	for (;;) {
		ssize_t n;

		if (cap - *len < 8193) {
			if (cap >= KMSG_MAX) {
				free(buf);
				close(fd);
				errno = EFBIG;
				return NULL;
			}
			cap *= 2;
			buf = xrealloc(buf, cap, 1);
		}
		n = read(fd, buf + *len, cap - *len - 1);
		if (n > 0) {
			*len += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EPIPE) /* records overwritten: go on */
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN) {
			int e = errno;

			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		break;
	}
	close(fd);
	buf[*len] = '\0';
	return buf;
}

static bool is_pciback(const char *who)
{
	return !strcmp(who, "pciback") || !strcmp(who, "xen-pciback") ||
	       !strcmp(who, "xen_pciback");
}

static void scan_log(struct report *r, char *text)
{
	char *save = NULL;

	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		const char *msg, *rest;
		char who[64];
		long long t;
		struct bdf b;
		struct bdev *d;

		if (!kmsg_split(l, &t, &msg) || !kmsg_device(msg, who, sizeof(who), &b, &rest) ||
		    !strcmp(who, "pci") || !strcmp(who, "pci_bus") || !(d = find(r, &b, false)))
			continue;
		if (is_pciback(who)) {
			if (strstr(rest, "not seized")) {
				/* the first: it was there already when pciback tried */
				if (!d->tried) {
					d->tried = true;
					d->try_usec = t;
					strlcpy0(d->try_msg, msg, sizeof(d->try_msg));
				}
				continue;
			}
			/* the first line about seizing it; "seizing device" over
			 * "wants to seize" */
			if (strstr(rest, "seiz") &&
			    (!d->seized || (strstr(d->seize_msg, "wants to seize") &&
					    strstr(rest, "seizing")))) {
				d->seized = true;
				d->seize_usec = t;
				strlcpy0(d->seize_msg, msg, sizeof(d->seize_msg));
			}
			continue;
		}
		{
			size_t k;

			for (k = 0; k < d->np && strcmp(d->p[k].who, who); k++)
				;
			if (k < d->np || d->np >= MAX_PROBES)
				continue;
			strlcpy0(d->p[k].who, who, sizeof(d->p[k].who));
			d->p[k].usec = t;
			strlcpy0(d->p[k].msg, msg, sizeof(d->p[k].msg));
			d->np++;
		}
	}
}

static void when(long long usec, char *buf, size_t size)
{
	if (usec < 0)
		snprintf(buf, size, "[time unknown]");
	else
		snprintf(buf, size, "[%5lld.%06lld]", usec / 1000000, usec % 1000000);
}

static const struct probe *probe_of(const struct bdev *d, const char *who)
{
	for (size_t k = 0; k < d->np; k++)
		if (!strcmp(d->p[k].who, who))
			return &d->p[k];
	return NULL;
}

/* state word and the explanation. */
static const char *judge(const struct report *r, const struct bdev *d, char *why, size_t size)
{
	const struct pdev *p = d->idx >= 0 ? &r->ds->d[d->idx] : NULL;
	char ts[32], td[32];

	when(d->seize_usec, ts, sizeof(ts));
	if (!p) {
		snprintf(why, size, "no such device on the PCI bus");
		return "absent";
	}
	if (pdev_is_pciback(p)) {
		size_t len = (size_t)snprintf(why, size, "held by pciback%s%s%s",
					      d->seized ? ", seized at " : " (no seizing line in the log)",
					      d->seized ? ts : "", d->np ? "" : ".");
		if (d->np && len < size) {
			when(d->p[0].usec, td, sizeof(td));
			snprintf(why + len, size - len, "; %s had it first, at %s.", esc(d->p[0].who), td);
		}
		return "pciback";
	}
	if (!p->driver[0]) {
		when(d->try_usec, td, sizeof(td));
		if (d->seized)
			snprintf(why, size, "no driver now: pciback seized it at %s and it was "
				 "unbound since.", ts);
		else if (d->tried)
			snprintf(why, size, "no driver now; pciback tried at %s and did not seize "
				 "it (see its log line).", td);
		else
			snprintf(why, size, "no driver claimed it, and pciback never seized it.");
		return "no driver";
	}
	{
		const struct probe *pr = probe_of(d, p->driver);
		const char *drv = esc(p->driver);

		char at[48];

		when(pr ? pr->usec : -1, td, sizeof(td));
		snprintf(at, sizeof(at), pr ? "at %s" : "(no log line from it)", td);
		if (d->seized && pr && pr->usec >= 0 && d->seize_usec >= 0 && pr->usec < d->seize_usec)
			snprintf(why, size, "claimed by %s %s, before pciback tried at %s: load "
				 "xen-pciback earlier (built in, or first in the initramfs) or keep %s "
				 "from loading before it.", drv, at, ts, drv);
		else if (d->seized)
			snprintf(why, size, "pciback seized it at %s, but %s has it now (%s%s): it "
				 "was taken from pciback later (an unbind, a release, a udev rule).",
				 ts, drv, pr ? "first log line " : "", at);
		else if (d->tried) {
			char tt[32];

			when(d->try_usec, tt, sizeof(tt));
			snprintf(why, size, "claimed by %s %s, before pciback tried at %s: load "
				 "xen-pciback earlier (built in, or first in the initramfs) or keep %s "
				 "from loading before it.", drv, at, tt, drv);
		}
		else
			snprintf(why, size, "claimed by %s %s, and pciback never tried to seize it "
				 "(no seizing line): xen-pciback was not loaded before %s, or the listing "
				 "did not reach it (is the seize list in the initramfs? rebuild it: "
				 "'update-initramfs -u -k all' or 'dracut --regenerate-all --force'; "
				 "is the hide= syntax right?).", drv, at, drv);
	}
	return "other driver";
}

static void print_text(const struct report *r, const char *logname)
{
	printf("Kernel log: %s.\n", esc(logname));
	if (!r->n)
		printf("No device is listed for seizing (seize list, hide=, ids=, path=).\n");
	for (size_t i = 0; i < r->n; i++) {
		const struct bdev *d = &r->d[i];
		const struct pdev *p = d->idx >= 0 ? &r->ds->d[d->idx] : NULL;
		char name[BDF_STRLEN], why[1024], t[32];
		const char *state = judge(r, d, why, sizeof(why));
		bool printed_seize = !d->seized, printed_try = !d->tried;

		bdf_fmt(&d->bdf, name, sizeof(name));
		if (p)
			printf("%s [%04x:%04x]: %s\n", name, p->caps.vendor, p->caps.device,
			       !strcmp(state, "pciback") ? "OK" : "NOT SEIZED");
		else
			printf("%s: NOT SEIZED\n", name);
		for (size_t k = 0; k < d->nlisted; k++)
			printf("  listed by %s\n", d->listed[k]);
		/* in the log's order: the probes are in it already */
		for (size_t k = 0; k <= d->np; k++) {
			for (int pass = 0; pass < 2; pass++) {
				/* the earlier of pciback's two lines first */
				bool seize_first = !d->tried || (d->seized && d->seize_usec <= d->try_usec);
				bool is_seize = (pass == 0) == seize_first;
				bool *printed = is_seize ? &printed_seize : &printed_try;
				long long u = is_seize ? d->seize_usec : d->try_usec;

				if (*printed || (k < d->np && (u < 0 || d->p[k].usec <= u)))
					continue;
				*printed = true;
				when(u, t, sizeof(t));
				printf("  log %s %s\n", t, esc(is_seize ? d->seize_msg : d->try_msg));
			}
			if (k == d->np)
				break;
			when(d->p[k].usec, t, sizeof(t));
			printf("  log %s %s\n", t, esc(d->p[k].msg));
		}
		printf("  now: driver %s: %s\n", p && p->driver[0] ? esc(p->driver) : "none", why);
	}
	for (size_t k = 0; k < r->nproblems; k++)
		printf("Problem: %s.\n", r->problems[k]);
}

static void json_usec(FILE *f, long long usec)
{
	if (usec < 0)
		fputs("null", f);
	else
		fprintf(f, "%lld.%06lld", usec / 1000000, usec % 1000000);
}

static void print_json(const struct report *r, const char *logname)
{
	bool first = true;

	fputc('{', stdout);
	json_key(stdout, "kmsg", &first);
	json_str(stdout, logname);
	json_key(stdout, "devices", &first);
	fputc('[', stdout);
	for (size_t i = 0; i < r->n; i++) {
		const struct bdev *d = &r->d[i];
		const struct pdev *p = d->idx >= 0 ? &r->ds->d[d->idx] : NULL;
		char name[BDF_STRLEN], why[1024], id[16];
		const char *state = judge(r, d, why, sizeof(why));
		bool df = true;

		bdf_fmt(&d->bdf, name, sizeof(name));
		fputs(i ? ",\n{" : "\n{", stdout);
		json_key(stdout, "bdf", &df);
		json_str(stdout, name);
		json_key(stdout, "id", &df);
		if (p) {
			snprintf(id, sizeof(id), "%04x:%04x", p->caps.vendor, p->caps.device);
			json_str(stdout, id);
		} else {
			fputs("null", stdout);
		}
		json_key(stdout, "present", &df);
		fputs(p ? "true" : "false", stdout);
		json_key(stdout, "listed_by", &df);
		fputc('[', stdout);
		for (size_t k = 0; k < d->nlisted; k++) {
			fputs(k ? "," : "", stdout);
			json_str(stdout, d->listed[k]);
		}
		fputc(']', stdout);
		json_key(stdout, "driver", &df);
		if (p && p->driver[0])
			json_str(stdout, p->driver);
		else
			fputs("null", stdout);
		json_key(stdout, "state", &df);
		json_str(stdout, state);
		json_key(stdout, "seized_at", &df);
		json_usec(stdout, d->seized ? d->seize_usec : -1);
		json_key(stdout, "seize_message", &df);
		if (d->seized)
			json_str(stdout, d->seize_msg);
		else
			fputs("null", stdout);
		json_key(stdout, "tried_at", &df);
		json_usec(stdout, d->tried ? d->try_usec : -1);
		json_key(stdout, "tried_message", &df);
		if (d->tried)
			json_str(stdout, d->try_msg);
		else
			fputs("null", stdout);
		json_key(stdout, "probes", &df);
		fputc('[', stdout);
		for (size_t k = 0; k < d->np; k++) {
			bool pf = true;

			fputs(k ? ",{" : "{", stdout);
			json_key(stdout, "driver", &pf);
			json_str(stdout, d->p[k].who);
			json_key(stdout, "at", &pf);
			json_usec(stdout, d->p[k].usec);
			json_key(stdout, "message", &pf);
			json_str(stdout, d->p[k].msg);
			fputc('}', stdout);
		}
		fputc(']', stdout);
		json_key(stdout, "explanation", &df);
		json_str(stdout, why);
		fputc('}', stdout);
	}
	fputs("\n]", stdout);
	json_key(stdout, "problems", &first);
	fputc('[', stdout);
	for (size_t k = 0; k < r->nproblems; k++) {
		fputs(k ? "," : "", stdout);
		json_str(stdout, r->problems[k]);
	}
	fputs("]}\n", stdout);
}

/*
 * After the report: one line on stderr and XP_EXIT_NOT_SEIZED when a listed
 * device is not held by pciback or pciback ignores an entry, so that a
 * script or a unit can tell; XP_EXIT_OK otherwise.
 */
static int verdict_line(const struct report *r)
{
	size_t bad = 0;
	char why[1024];

	for (size_t i = 0; i < r->n; i++)
		bad += strcmp(judge(r, &r->d[i], why, sizeof(why)), "pciback") != 0;
	if (!bad && !r->nproblems)
		return XP_EXIT_OK;
	if (bad && r->nproblems)
		xp_err("%zu of %zu device%s listed for seizing %s not held by pciback, and "
		       "pciback ignores %zu entr%s (see the report)", bad, r->n,
		       r->n == 1 ? "" : "s", bad == 1 ? "is" : "are", r->nproblems,
		       r->nproblems == 1 ? "y" : "ies");
	else if (bad)
		xp_err("%zu of %zu device%s listed for seizing %s not held by pciback "
		       "(see the report)", bad, r->n, r->n == 1 ? "" : "s",
		       bad == 1 ? "is" : "are");
	else
		xp_err("pciback ignores %zu entr%s listing devices for seizing (see the report)",
		       r->nproblems, r->nproblems == 1 ? "y" : "ies");
	return XP_EXIT_NOT_SEIZED;
}

int boot_report(const struct options *o, const struct devset *ds)
{
	struct report r = { .o = o, .ds = ds };
	const char *logname = o->kmsg ? o->kmsg : KMSG_DEFAULT;
	size_t len;
	char *log;
	int ret;

	if (seize_list(&r) < 0) {
		free(r.d);
		return XP_EXIT_FAIL;
	}
	cmdline(&r);
	module_params(&r);
	log = read_log(logname, &len);
	if (!log) {
		xp_err("cannot read the kernel log %s: %s%s", esc(logname), xp_strerror(errno),
		       o->kmsg ? "" : " (give --kmsg FILE, e.g. saved with 'dmesg')");
		free(r.d);
		return XP_EXIT_FAIL;
	}
	scan_log(&r, log);
	free(log);
	if (o->json)
		print_json(&r, logname);
	else
		print_text(&r, logname);
	ret = verdict_line(&r);
	free(r.d);
	return ret;
}
