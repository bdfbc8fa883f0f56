// SPDX-License-Identifier: GPL-2.0
/*
 * mmio - read or write one 32-bit register of a PCI device's BAR0 through
 * sysfs resource0, for the reset boot test: state written into a device
 * before a reset must read its reset value afterwards (config space is no
 * evidence, the kernel restores it around a reset).
 *
 *   mmio [--sysfs-root DIR] BDF OFFSET          prints "MMIO BDF OFFSET VALUE"
 *   mmio [--sysfs-root DIR] BDF OFFSET VALUE    writes, then prints as above
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROG "mmio"

static void die(int code, const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(code);
}

static unsigned long parse_num(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *s == '\0' || *end != '\0' || v > 0xffffffffUL)
		die(2, what, s);
	return v;
}

int main(int argc, char **argv)
{
	const char *root = "/sys";
	char path[512];
	unsigned long off, val = 0;
	int write_it, fd, i = 1;
	struct stat st;
	volatile uint32_t *reg;
	void *map;

	if (argc > 2 && !strcmp(argv[1], "--sysfs-root")) {
		root = argv[2];
		i = 3;
	}
	if (argc - i != 2 && argc - i != 3)
		die(2, "%s", "usage: mmio [--sysfs-root DIR] BDF OFFSET [VALUE]");
	off = parse_num(argv[i + 1], "bad offset: %s");
	if (off % 4)
		die(2, "offset %s is not 32-bit aligned", argv[i + 1]);
	write_it = argc - i == 3;
	if (write_it)
		val = parse_num(argv[i + 2], "bad value: %s");

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/resource0", root, argv[i]);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		die(1, "cannot open %s", path);
	if (fstat(fd, &st) < 0 || (S_ISREG(st.st_mode) && (unsigned long)st.st_size < off + 4))
		die(1, "%s is smaller than the register offset", path);
	map = mmap(NULL, (size_t)off + 4, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die(1, "cannot map %s", path);
	reg = (volatile uint32_t *)((char *)map + off);
	if (write_it)
		*reg = (uint32_t)val;
	printf("MMIO %s 0x%lx 0x%08x\n", argv[i], off, (unsigned int)*reg);
	munmap(map, (size_t)off + 4);
	close(fd);
	return 0;
}
