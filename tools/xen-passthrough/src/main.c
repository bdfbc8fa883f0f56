// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xen-passthrough: which PCI devices can a Xen dom0 give to a guest, and
 * moving them to xen-pciback.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "options.h"
#include "util.h"

#define VERSION "0.1"

static void usage(FILE *f)
{
	fputs("usage: " PROG " [options] list [--json]\n"
	      "       " PROG " [options] check DEVICE\n"
	      "       " PROG " [options] assign DEVICE [--persist] [--force]\n"
	      "       " PROG " [options] release DEVICE [--persist] [--force]\n"
	      "       " PROG " [options] xl-config DEVICE\n"
	      "       " PROG " [options] boot-report [--kmsg FILE] [--json]\n"
	      "DEVICE: BDF (0000:01:00.0 or 01:00.0), vendor:device (8086:10d3),\n"
	      "        or PCI path (0000:00:1c.0/00.0)\n"
	      "options: --sysfs-root DIR  --proc-root DIR  --xenstore-root DIR|SOCKET\n"
	      "         --dump FILE  --conf FILE  --kmsg FILE  --no-names  --help  --version\n", f);
}

static const char *const commands[] = { "list", "check", "assign", "release",
					 "xl-config", "boot-report" };

/* The option getopt stopped at: "-x" for a short one, "--name" for a long one. */
static const char *opt_name(char **argv, bool short_opt, char *buf, size_t size)
{
	if (short_opt) {
		snprintf(buf, size, "-%c", optopt);
	} else {
		snprintf(buf, size, "%s", argv[optind - 1]);
		buf[strcspn(buf, "=")] = '\0';
	}
	return esc(buf);
}

/* Everything printed must have reached stdout: a full disk is a failure. */
static int finish(int ret)
{
	int err = 0;

	if (fflush(stdout) != 0)
		err = errno;
	else if (ferror(stdout))
		err = EIO;
	if (err) {
		xp_err("cannot write the output: %s", strerror(err));
		/* a report that did not get out is a failure, whatever it found */
		return ret && ret != XP_EXIT_NOT_SEIZED ? ret : XP_EXIT_FAIL;
	}
	return ret;
}

static int run(const struct options *o, const char *cmd, const char *dev)
{
	if (!strcmp(cmd, "list"))
		return cmd_list(o);
	if (!strcmp(cmd, "check"))
		return cmd_check(o, dev);
	if (!strcmp(cmd, "assign"))
		return cmd_assign(o, dev);
	if (!strcmp(cmd, "release"))
		return cmd_release(o, dev);
	if (!strcmp(cmd, "boot-report"))
		return cmd_boot_report(o);
	return cmd_xl_config(o, dev);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "force", no_argument, NULL, 'f' },
		{ "persist", no_argument, NULL, 'p' },
		{ "sysfs-root", required_argument, NULL, 's' },
		{ "proc-root", required_argument, NULL, 'P' },
		{ "dump", required_argument, NULL, 'd' },
		{ "conf", required_argument, NULL, 'c' },
		{ "xenstore-root", required_argument, NULL, 'X' },
		{ "kmsg", required_argument, NULL, 'k' },
		{ "no-names", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct options o = { .proc_root = "/proc", .conf = XP_DEFAULT_CONF };
	bool sysfs_given = false;
	const char *cmd, *dev = NULL;
	bool known = false;
	char name[64];
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': o.json = true; break;
		case 'f': o.force = true; break;
		case 'p': o.persist = true; break;
		case 's': o.sysfs_root = optarg; sysfs_given = true; break;
		case 'P': o.proc_root = optarg; break;
		case 'd': o.dump = optarg; break;
		case 'c': o.conf = optarg; break;
		case 'X': o.xenstore_root = optarg; break;
		case 'k': o.kmsg = optarg; break;
		case 'n': o.no_names = true; break;
		case 'h': usage(stdout); return XP_EXIT_OK;
		case 'V': puts(PROG " " VERSION); return XP_EXIT_OK;
		case ':':
			xp_err("option %s needs an argument",
			       opt_name(argv, false, name, sizeof(name)));
			return XP_EXIT_USAGE;
		default:
			/* optopt is the letter of an unknown short option, 0 for a long one */
			xp_err("unknown option %s (see --help)",
			       opt_name(argv, optopt != 0, name, sizeof(name)));
			return XP_EXIT_USAGE;
		}
	}
	if (!sysfs_given && !o.dump)
		o.sysfs_root = "/sys";
	if (optind >= argc) {
		usage(stderr);
		return XP_EXIT_USAGE;
	}
	cmd = argv[optind++];
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		known |= !strcmp(cmd, commands[i]);
	if (!known) {
		xp_err("unknown command '%s' (see --help)", esc(cmd));
		return XP_EXIT_USAGE;
	}
	if (o.kmsg && strcmp(cmd, "boot-report")) {
		xp_err("--kmsg is only for boot-report (see --help)");
		return XP_EXIT_USAGE;
	}
	if (strcmp(cmd, "list") && strcmp(cmd, "boot-report")) {
		if (optind >= argc) {
			xp_err("%s needs a DEVICE (see --help)", cmd);
			return XP_EXIT_USAGE;
		}
		dev = argv[optind++];
	}
	if (optind < argc) {
		xp_err("unexpected argument '%s' (see --help)", esc(argv[optind]));
		return XP_EXIT_USAGE;
	}
	return finish(run(&o, cmd, dev));
}
