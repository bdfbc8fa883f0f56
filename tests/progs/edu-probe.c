// SPDX-License-Identifier: GPL-2.0
/*
 * edu-probe - poke QEMU's "edu" PCI device through sysfs resource0.
 *
 *   edu-probe [--sysfs-root DIR] [BDF]
 *
 * Runs inside the boot-test initramfs (Xen PV domU behind xen-pcifront,
 * or dom0), so it is linked statically and talks to the BAR directly via
 * the sysfs resource0 file instead of needing any library.
 *
 * stdout markers (grepped by the harness):
 *   EDU-ID 0x010000ed               ID register matched
 *   EDU-ID-BAD 0x...                ID register mismatch (exit 1)
 *   EDU-LIVENESS OK                 liveness register complemented all values
 *   EDU-LIVENESS FAIL wrote 0x... read 0x...   (exit 1)
 * Any other failure: exactly one line on stderr, exit 1 (2 for usage).
 *
 * --sysfs-root lets the tests point us at a fake tree whose resource0 is a
 * plain file: a file echoes what is written, the device complements it, so
 * the liveness check tells the two apart.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROG		"edu-probe"
#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
#define EDU_ID_VALUE	0x010000edu	/* major 1, minor 0, magic 0xed */
#define EDU_REG_ID	0x00
#define EDU_REG_LIVE	0x04
#define MAP_LEN		4096

static const char *sysfs_root = "/sys";

/* One line on stderr and out: the harness shows stderr verbatim. */
static void __attribute__((noreturn, format(printf, 2, 3)))
die(int code, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void __attribute__((noreturn)) usage(const char *why)
{
	die(2, "%s (usage: " PROG " [--sysfs-root DIR] [BDF])", why);
}

/* Read a sysfs hex attribute such as "vendor" ("0x1234\n"); -1 if absent. */
static long read_hex_attr(const char *dir, const char *name)
{
	char path[PATH_MAX], buf[32];
	ssize_t n;
	long val;
	char *end;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	errno = 0;
	val = strtol(buf, &end, 16);
	if (errno || end == buf)
		return -1;
	return val;
}

/*
 * Pick the first (in readdir-sorted order) 1234:11e8 device. scandir with
 * alphasort keeps the choice stable when several edu devices exist.
 */
static void find_edu(char *bdf, size_t len)
{
	char devs[PATH_MAX], dir[PATH_MAX];
	struct dirent **ents;
	int i, n, found = 0;

	snprintf(devs, sizeof(devs), "%s/bus/pci/devices", sysfs_root);
	n = scandir(devs, &ents, NULL, alphasort);
	if (n < 0)
		die(1, "%s: %s", devs, strerror(errno));
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;

		if (!found && name[0] != '.' &&
		    snprintf(dir, sizeof(dir), "%s/%s", devs, name) < (int)sizeof(dir) &&
		    read_hex_attr(dir, "vendor") == EDU_VENDOR &&
		    read_hex_attr(dir, "device") == EDU_DEVICE &&
		    strlen(name) < len) {
			strcpy(bdf, name);
			found = 1;
		}
		free(ents[i]);
	}
	free(ents);
	if (!found)
		die(1, "no %04x:%04x (edu) PCI device in %s (is QEMU run with -device edu?)",
		    EDU_VENDOR, EDU_DEVICE, devs);
}

int main(int argc, char **argv)
{
	/* Values chosen so a stuck bus (all ones/zeros) cannot pass. */
	static const uint32_t probes[] = { 0x12345678u, 0xdeadbeefu, 0u };
	char bdf[256] = "", path[PATH_MAX];
	volatile uint32_t *regs;
	struct stat st;
	uint32_t id;
	size_t i;
	void *map;
	int fd;

	for (i = 1; i < (size_t)argc; i++) {
		if (!strcmp(argv[i], "--sysfs-root")) {
			if (++i == (size_t)argc)
				usage("--sysfs-root needs a directory");
			sysfs_root = argv[i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: " PROG " [--sysfs-root DIR] [BDF]\n");
			return 0;
		} else if (argv[i][0] == '-') {
			usage("unknown option");
		} else if (!bdf[0] && strlen(argv[i]) < sizeof(bdf) &&
			   !strchr(argv[i], '/')) {
			strcpy(bdf, argv[i]);
		} else {
			usage("bad or extra BDF argument");
		}
	}
	if (!bdf[0])
		find_edu(bdf, sizeof(bdf));

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/resource0",
		 sysfs_root, bdf);
	/* O_SYNC: sysfs maps the BAR uncached only for O_SYNC opens. */
	fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0)
		die(1, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0)
		die(1, "fstat %s: %s", path, strerror(errno));
	/* sysfs reports the BAR size; a shorter mapping would SIGBUS on access. */
	if (st.st_size < MAP_LEN)
		die(1, "%s: only %lld bytes, BAR0 of edu is at least %d",
		    path, (long long)st.st_size, MAP_LEN);
	map = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die(1, "mmap %s: %s", path, strerror(errno));
	close(fd);
	regs = map;

	/* MMIO: 32-bit accesses only, through volatile so none is merged. */
	id = regs[EDU_REG_ID / 4];
	if (id != EDU_ID_VALUE) {
		printf("EDU-ID-BAD 0x%08x\n", id);
		die(1, "%s: ID register reads 0x%08x, expected 0x%08x",
		    bdf, id, EDU_ID_VALUE);
	}
	printf("EDU-ID 0x%08x\n", id);
	fflush(stdout);

	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		uint32_t got;

		regs[EDU_REG_LIVE / 4] = probes[i];
		got = regs[EDU_REG_LIVE / 4];
		if (got != (uint32_t)~probes[i]) {
			printf("EDU-LIVENESS FAIL wrote 0x%08x read 0x%08x\n",
			       probes[i], got);
			die(1, "%s: liveness register returned 0x%08x for 0x%08x, expected 0x%08x",
			    bdf, got, probes[i], (uint32_t)~probes[i]);
		}
	}
	printf("EDU-LIVENESS OK\n");

	if (munmap(map, MAP_LEN) < 0)
		die(1, "munmap: %s", strerror(errno));
	if (fflush(stdout) == EOF || ferror(stdout))
		die(1, "stdout: %s", strerror(errno));
	return 0;
}
