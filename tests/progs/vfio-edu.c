// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-edu - drive QEMU's "edu" PCI device from userspace through VFIO.
 *
 *   vfio-edu [--iommufd] [--sysfs-root DIR] [BDF]
 *
 * Group/container API (type1) by default, the iommufd cdev API with
 * --iommufd.  Either way: BAR0 ID and liveness checks as in edu-probe, then
 * map and unmap 1 MiB of DMA memory so the IOMMU path is exercised too.
 * stdout markers: "VFIO-EDU-ID 0x010000ed", "VFIO-EDU-DMA OK ...",
 * "VFIO-EDU OK api=group|iommufd".  Failures: one stderr line and exit 1;
 * 2 for usage; 77 when the running kernel cannot do --iommufd.
 * --sysfs-root redirects the sysfs lookups so tests can use fake trees.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/vfio.h>

#define PROG		"vfio-edu"
#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
#define EDU_ID_VALUE	0x010000edu
#define EDU_REG_ID	0x00
#define EDU_REG_LIVE	0x04
#define BAR_MAP_LEN	4096
#define DMA_IOVA	0x100000ULL
#define DMA_SIZE	0x100000ULL
#define EXIT_UNSUPPORTED 77

/*
 * iommufd cdev UAPI, defined locally: Debian 12's linux-libc-dev (6.1)
 * has neither linux/iommufd.h nor VFIO_DEVICE_BIND_IOMMUFD.  Copied from
 * include/uapi/linux/{vfio,iommufd}.h of Linux 6.12 with our own names so
 * newer installed headers cannot clash.  The layouts stop at the fields
 * 6.12 knows: later kernels only append fields (token_uuid_ptr, pasid)
 * and accept the shorter argsz/size.  The ioctls are _IO(), so the numbers
 * do not encode a size.
 */
struct d0k_vfio_bind_iommufd {
	uint32_t argsz, flags;
	int32_t iommufd;
	uint32_t out_devid;
};
#define D0K_VFIO_DEVICE_BIND_IOMMUFD	_IO(VFIO_TYPE, VFIO_BASE + 18)

struct d0k_vfio_attach_iommufd_pt {
	uint32_t argsz, flags, pt_id;
};
#define D0K_VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)

#define D0K_IOMMUFD_TYPE	(';')
struct d0k_iommu_ioas_alloc {
	uint32_t size, flags, out_ioas_id;
};
#define D0K_IOMMU_IOAS_ALLOC	_IO(D0K_IOMMUFD_TYPE, 0x81)

struct d0k_iommu_ioas_map {
	uint32_t size, flags, ioas_id, __reserved;
	uint64_t user_va, length, iova;
};
#define D0K_IOMMU_IOAS_MAP_FIXED_IOVA	(1 << 0)
#define D0K_IOMMU_IOAS_MAP_WRITEABLE	(1 << 1)
#define D0K_IOMMU_IOAS_MAP_READABLE	(1 << 2)
#define D0K_IOMMU_IOAS_MAP	_IO(D0K_IOMMUFD_TYPE, 0x85)

struct d0k_iommu_ioas_unmap {
	uint32_t size, ioas_id;
	uint64_t iova, length;
};
#define D0K_IOMMU_IOAS_UNMAP	_IO(D0K_IOMMUFD_TYPE, 0x86)

_Static_assert(sizeof(struct d0k_iommu_ioas_map) == 40, "iommu_ioas_map layout");
_Static_assert(sizeof(struct d0k_iommu_ioas_unmap) == 24, "iommu_ioas_unmap layout");

static const char *sysfs_root = "/sys";
static char bdf[256];
static char devdir[PATH_MAX];

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
	die(2, "%s (usage: " PROG " [--iommufd] [--sysfs-root DIR] [BDF])", why);
}

/* snprintf that dies instead of truncating a path. */
static void __attribute__((format(printf, 3, 4)))
xpath(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		die(1, "path too long: %s...", buf);
}

/* A sysfs hex attribute such as "vendor" ("0x1234\n"); -1 if unreadable. */
static long read_hex_attr(const char *dir, const char *name)
{
	char path[PATH_MAX];
	unsigned int val;
	FILE *f;
	int ok;

	xpath(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	ok = fscanf(f, "%x", &val) == 1;
	fclose(f);
	return ok ? (long)val : -1;
}

/* First 1234:11e8 device in sorted order, as edu-probe picks it. */
static void find_edu(void)
{
	char devs[PATH_MAX], dir[PATH_MAX];
	struct dirent **ents;
	int i, n, found = 0;

	xpath(devs, sizeof(devs), "%s/bus/pci/devices", sysfs_root);
	n = scandir(devs, &ents, NULL, alphasort);
	if (n < 0)
		die(1, "%s: %s", devs, strerror(errno));
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;

		if (found || name[0] == '.') {
			free(ents[i]);
			continue;
		}
		xpath(dir, sizeof(dir), "%s/%s", devs, name);
		if (read_hex_attr(dir, "vendor") == EDU_VENDOR &&
		    read_hex_attr(dir, "device") == EDU_DEVICE &&
		    strlen(name) < sizeof(bdf)) {
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

/* Last path component of symlink devdir/name, or NULL if it is absent. */
static const char *link_base(const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;

	xpath(path, sizeof(path), "%s/%s", devdir, name);
	n = readlink(path, buf, len - 1);
	if (n < 0) {
		if (errno == ENOENT)
			return NULL;
		die(1, "readlink %s: %s", path, strerror(errno));
	}
	buf[n] = '\0';
	return strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf;
}

/*
 * The sysfs preconditions, in the order a human would fix them: device
 * present, IOMMU gives it a group, vfio-pci owns it.  Returns the group.
 */
static unsigned long check_sysfs(void)
{
	char grp[PATH_MAX], drv[PATH_MAX], *end;
	const char *g, *d;
	unsigned long group;
	struct stat st;

	xpath(devdir, sizeof(devdir), "%s/bus/pci/devices/%s", sysfs_root, bdf);
	if (stat(devdir, &st) < 0)
		die(1, "%s: %s", devdir, strerror(errno));

	g = link_base("iommu_group", grp, sizeof(grp));
	if (!g)
		die(1, "%s has no IOMMU group: boot with intel_iommu=on (and give QEMU -device intel-iommu)",
		    bdf);
	errno = 0;
	group = strtoul(g, &end, 10);
	if (errno || end == g || *end)
		die(1, "%s: iommu_group link ends in '%s', not a group number", bdf, g);

	d = link_base("driver", drv, sizeof(drv));
	if (!d)
		die(1, "%s is not bound to any driver (bind it to vfio-pci)", bdf);
	if (strcmp(d, "vfio-pci"))
		die(1, "%s is bound to %s, not vfio-pci", bdf, d);
	return group;
}

/* BAR0 access: through the mmap if VFIO offered one, else pread/pwrite. */
static volatile uint32_t *bar_map;
static int bar_fd;
static off_t bar_off;

static uint32_t bar_rd32(unsigned int reg)
{
	uint32_t v;

	if (bar_map)
		return bar_map[reg / 4];
	if (pread(bar_fd, &v, 4, bar_off + reg) != 4)
		die(1, "pread BAR0+0x%x: %s", reg, strerror(errno));
	return v;
}

static void bar_wr32(unsigned int reg, uint32_t v)
{
	if (bar_map)
		bar_map[reg / 4] = v;
	else if (pwrite(bar_fd, &v, 4, bar_off + reg) != 4)
		die(1, "pwrite BAR0+0x%x: %s", reg, strerror(errno));
}

/* Device info, BAR0 region info, then the edu ID and liveness checks. */
static void check_bar0(int dev)
{
	static const uint32_t probes[] = { 0x12345678u, 0xdeadbeefu, 0u };
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	const uint32_t rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	void *map = NULL;
	uint32_t id;
	size_t i;

	if (ioctl(dev, VFIO_DEVICE_GET_INFO, &info) < 0)
		die(1, "VFIO_DEVICE_GET_INFO: %s", strerror(errno));
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI) ||
	    info.num_regions <= VFIO_PCI_BAR0_REGION_INDEX)
		die(1, "%s: not a VFIO PCI device with BAR0 (flags 0x%x, %u regions)",
		    bdf, info.flags, info.num_regions);

	reg.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &reg) < 0)
		die(1, "VFIO_DEVICE_GET_REGION_INFO(BAR0): %s", strerror(errno));
	if ((reg.flags & rw) != rw || reg.size < BAR_MAP_LEN)
		die(1, "%s: BAR0 not a read/write region of >= %d bytes (flags 0x%x, size %llu)",
		    bdf, BAR_MAP_LEN, reg.flags, (unsigned long long)reg.size);
	bar_fd = dev;
	bar_off = (off_t)reg.offset;

	/* mmap when offered; otherwise each access is a trapped pread/pwrite. */
	if (reg.flags & VFIO_REGION_INFO_FLAG_MMAP) {
		map = mmap(NULL, BAR_MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED,
			   dev, (off_t)reg.offset);
		if (map == MAP_FAILED)
			die(1, "mmap BAR0: %s", strerror(errno));
		bar_map = map;
	}

	id = bar_rd32(EDU_REG_ID);
	if (id != EDU_ID_VALUE) {
		printf("VFIO-EDU-ID-BAD 0x%08x\n", id);
		die(1, "%s: ID register reads 0x%08x, expected 0x%08x", bdf, id,
		    EDU_ID_VALUE);
	}
	printf("VFIO-EDU-ID 0x%08x\n", id);
	fflush(stdout);
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		uint32_t got;

		bar_wr32(EDU_REG_LIVE, probes[i]);
		got = bar_rd32(EDU_REG_LIVE);
		if (got != (uint32_t)~probes[i]) {
			printf("VFIO-EDU-LIVENESS FAIL wrote 0x%08x read 0x%08x\n",
			       probes[i], got);
			die(1, "%s: liveness register returned 0x%08x for 0x%08x",
			    bdf, got, probes[i]);
		}
	}
	if (map && munmap(map, BAR_MAP_LEN) < 0)
		die(1, "munmap BAR0: %s", strerror(errno));
	bar_map = NULL;
}

/*
 * Pin 1 MiB and map it at a fixed IOVA, then unmap it: the part that needs
 * a working IOMMU.  fd is the type1 container, or iommufd when ioas >= 0.
 */
static void check_dma(int fd, long ioas)
{
	unsigned long long done;
	void *buf;

	buf = mmap(NULL, DMA_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		die(1, "mmap DMA buffer: %s", strerror(errno));
	if (ioas < 0) {
		struct vfio_iommu_type1_dma_map map = {
			.argsz = sizeof(map), .vaddr = (uintptr_t)buf,
			.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			.iova = DMA_IOVA, .size = DMA_SIZE,
		};
		struct vfio_iommu_type1_dma_unmap unmap = {
			.argsz = sizeof(unmap), .iova = DMA_IOVA, .size = DMA_SIZE,
		};

		if (ioctl(fd, VFIO_IOMMU_MAP_DMA, &map) < 0)
			die(1, "VFIO_IOMMU_MAP_DMA iova 0x%llx size 0x%llx: %s",
			    DMA_IOVA, DMA_SIZE, strerror(errno));
		if (ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap) < 0)
			die(1, "VFIO_IOMMU_UNMAP_DMA: %s", strerror(errno));
		done = unmap.size;
	} else {
		struct d0k_iommu_ioas_map map = {
			.size = sizeof(map), .ioas_id = (uint32_t)ioas,
			.flags = D0K_IOMMU_IOAS_MAP_FIXED_IOVA |
				 D0K_IOMMU_IOAS_MAP_READABLE |
				 D0K_IOMMU_IOAS_MAP_WRITEABLE,
			.user_va = (uintptr_t)buf, .length = DMA_SIZE,
			.iova = DMA_IOVA,
		};
		struct d0k_iommu_ioas_unmap unmap = {
			.size = sizeof(unmap), .ioas_id = (uint32_t)ioas,
			.iova = DMA_IOVA, .length = DMA_SIZE,
		};

		if (ioctl(fd, D0K_IOMMU_IOAS_MAP, &map) < 0)
			die(1, "IOMMU_IOAS_MAP iova 0x%llx size 0x%llx: %s",
			    DMA_IOVA, DMA_SIZE, strerror(errno));
		if (ioctl(fd, D0K_IOMMU_IOAS_UNMAP, &unmap) < 0)
			die(1, "IOMMU_IOAS_UNMAP: %s", strerror(errno));
		done = unmap.length;
	}
	/* Both APIs report how much was really unmapped. */
	if (done != DMA_SIZE)
		die(1, "DMA unmap removed 0x%llx bytes, expected 0x%llx", done,
		    DMA_SIZE);
	if (munmap(buf, DMA_SIZE) < 0)
		die(1, "munmap DMA buffer: %s", strerror(errno));
	printf("VFIO-EDU-DMA OK iova=0x%llx size=0x%llx\n", DMA_IOVA, DMA_SIZE);
}

static void run_group(unsigned long group)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	int container, grp, dev, ret, type;
	char path[64];

	container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (container < 0)
		die(1, "/dev/vfio/vfio: %s%s", strerror(errno),
		    errno == ENOENT ? " (vfio module not loaded?)" : "");
	ret = ioctl(container, VFIO_GET_API_VERSION);
	if (ret != VFIO_API_VERSION)
		die(1, "VFIO_GET_API_VERSION: %s %d, expected %d",
		    ret < 0 ? strerror(errno) : "returned", ret, VFIO_API_VERSION);
	/* v2 has saner unmap semantics; plain type1 is the fallback. */
	if (ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0)
		type = VFIO_TYPE1v2_IOMMU;
	else if (ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) > 0)
		type = VFIO_TYPE1_IOMMU;
	else
		die(1, "/dev/vfio/vfio supports neither TYPE1v2 nor TYPE1 IOMMU (vfio_iommu_type1 not loaded?)");

	snprintf(path, sizeof(path), "/dev/vfio/%lu", group);
	grp = open(path, O_RDWR | O_CLOEXEC);
	if (grp < 0)
		die(1, "%s: %s%s", path, strerror(errno),
		    errno == EBUSY ? " (group already opened by another process)" : "");
	if (ioctl(grp, VFIO_GROUP_GET_STATUS, &status) < 0)
		die(1, "VFIO_GROUP_GET_STATUS: %s", strerror(errno));
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		die(1, "group %lu is not viable: bind every device in it to vfio-pci",
		    group);
	if (ioctl(grp, VFIO_GROUP_SET_CONTAINER, &container) < 0)
		die(1, "VFIO_GROUP_SET_CONTAINER: %s", strerror(errno));
	if (ioctl(container, VFIO_SET_IOMMU, type) < 0)
		die(1, "VFIO_SET_IOMMU(%s): %s",
		    type == VFIO_TYPE1v2_IOMMU ? "TYPE1v2" : "TYPE1", strerror(errno));
	dev = ioctl(grp, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (dev < 0)
		die(1, "VFIO_GROUP_GET_DEVICE_FD(%s): %s", bdf, strerror(errno));

	check_bar0(dev);
	check_dma(container, -1);
	if (close(dev) < 0 || close(grp) < 0 || close(container) < 0)
		die(1, "close: %s", strerror(errno));
}

/* The vfioN name under <dev>/vfio-dev; exists only with VFIO_DEVICE_CDEV. */
static void find_cdev(char *name, size_t len)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;

	xpath(dir, sizeof(dir), "%s/vfio-dev", devdir);
	d = opendir(dir);
	if (!d && errno == ENOENT)
		die(EXIT_UNSUPPORTED, "%s: no vfio-dev cdev (kernel without CONFIG_VFIO_DEVICE_CDEV?): --iommufd not supported here",
		    bdf);
	if (!d)
		die(1, "%s: %s", dir, strerror(errno));
	name[0] = '\0';
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "vfio", 4) && strlen(de->d_name) < len) {
			strcpy(name, de->d_name);
			break;
		}
	closedir(d);
	if (!name[0])
		die(1, "%s: no vfioN entry", dir);
}

static void run_iommufd(void)
{
	struct d0k_vfio_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct d0k_vfio_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct d0k_iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	char name[64], path[128];
	int iommufd, dev;

	iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (iommufd < 0 && errno == ENOENT)
		die(EXIT_UNSUPPORTED, "/dev/iommu: %s (kernel without CONFIG_IOMMUFD?): --iommufd not supported here",
		    strerror(errno));
	if (iommufd < 0)
		die(1, "/dev/iommu: %s", strerror(errno));
	find_cdev(name, sizeof(name));
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
	dev = open(path, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		die(1, "%s: %s", path, strerror(errno));

	bind.iommufd = iommufd;
	if (ioctl(dev, D0K_VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0)
		die(1, "VFIO_DEVICE_BIND_IOMMUFD: %s", strerror(errno));
	if (ioctl(iommufd, D0K_IOMMU_IOAS_ALLOC, &alloc) < 0)
		die(1, "IOMMU_IOAS_ALLOC: %s", strerror(errno));
	attach.pt_id = alloc.out_ioas_id;
	if (ioctl(dev, D0K_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) < 0)
		die(1, "VFIO_DEVICE_ATTACH_IOMMUFD_PT(ioas %u): %s",
		    alloc.out_ioas_id, strerror(errno));

	check_bar0(dev);
	check_dma(iommufd, alloc.out_ioas_id);
	/* Closing the device detaches and unbinds; the IOAS dies with iommufd. */
	if (close(dev) < 0 || close(iommufd) < 0)
		die(1, "close: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	unsigned long group;
	int i, use_iommufd = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--iommufd")) {
			use_iommufd = 1;
		} else if (!strcmp(argv[i], "--sysfs-root")) {
			if (++i == argc)
				usage("--sysfs-root needs a directory");
			sysfs_root = argv[i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: " PROG " [--iommufd] [--sysfs-root DIR] [BDF]\n");
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
		find_edu();

	group = check_sysfs();
	if (use_iommufd)
		run_iommufd();
	else
		run_group(group);
	printf("VFIO-EDU OK api=%s\n", use_iommufd ? "iommufd" : "group");
	if (fflush(stdout) == EOF || ferror(stdout))
		die(1, "stdout: %s", strerror(errno));
	return 0;
}
