// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-edu - drive QEMU's "edu" PCI device from userspace through VFIO.
 *
 *   vfio-edu [--iommufd | --noiommu] [--msi N] [--sysfs-root DIR] [BDF]
 *
 * Group/container API (type1) by default, the iommufd cdev API with
 * --iommufd, the group API on /dev/vfio/noiommu-N with --noiommu (a kernel
 * booted with vfio.enable_unsafe_noiommu_mode=1, a device without IOMMU).
 * Every way: BAR0 ID and liveness checks as in edu-probe; with --msi N,
 * N factorial interrupts of edu as MSI through an eventfd (bus mastering
 * on); then map and unmap 1 MiB of DMA memory so the IOMMU path is
 * exercised too, except with --noiommu, where there is nothing to map.
 * stdout markers: "VFIO-EDU-ID 0x010000ed", "VFIO-EDU-MSI 3/5 fact(7)=5040",
 * "VFIO-EDU-MSI OK count=5", "VFIO-EDU-DMA OK ..." or "VFIO-EDU-DMA SKIP
 * ...", "VFIO-EDU OK api=group|iommufd|noiommu".  Failures: one stderr line
 * and exit 1; 2 for usage; 77 when the running kernel cannot do --iommufd
 * or --noiommu.  --sysfs-root redirects the sysfs lookups so tests can use
 * fake trees.
 */
#include <ctype.h>
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#define PROG		"vfio-edu"
#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
#define EDU_ID_VALUE	0x010000edu
#define EDU_REG_ID	0x00
#define EDU_REG_LIVE	0x04
#define EDU_REG_FACT	0x08
#define EDU_REG_STATUS	0x20
#define EDU_REG_IRQ	0x24	/* interrupt status */
#define EDU_REG_IRQ_ACK	0x64
#define EDU_STATUS_BUSY	0x01	/* factorial computing */
#define EDU_STATUS_IRQFACT 0x80	/* raise an interrupt when it is done */
#define EDU_IRQ_FACT	0x01	/* interrupt status bit of the factorial */
#define MSI_MAX		1000
#define MSI_TIMEOUT_MS	5000
#define BAR_MAP_LEN	4096
#define DMA_IOVA	0x100000ULL
#define DMA_SIZE	0x100000ULL
#define EXIT_UNSUPPORTED 77
#define STR_(x)		#x
#define STR(x)		STR_(x)

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

#define USAGE PROG " [--iommufd | --noiommu] [--msi N] [--sysfs-root DIR] [BDF]"

static const char *sysfs_root = "/sys";
static char bdf[256];
static char devdir[PATH_MAX];
static int use_iommufd, use_noiommu;
static unsigned int msi_count;

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
	die(2, "%s (usage: " USAGE ")", why);
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
	if (!g && use_noiommu)
		die(1, "%s has no IOMMU group: for --noiommu, boot with vfio.enable_unsafe_noiommu_mode=1 and bind it to vfio-pci, which makes one",
		    bdf);
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

/* Region info of a region that must be readable, writable and min long. */
static void region_rw(int dev, struct vfio_region_info *reg, uint32_t index,
		      const char *name, uint64_t min)
{
	const uint32_t rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;

	memset(reg, 0, sizeof(*reg));
	reg->argsz = sizeof(*reg);
	reg->index = index;
	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, reg) < 0)
		die(1, "VFIO_DEVICE_GET_REGION_INFO(%s): %s", name, strerror(errno));
	if ((reg->flags & rw) != rw || reg->size < min)
		die(1, "%s: %s not a read/write region of >= %llu bytes (flags 0x%x, size %llu)",
		    bdf, name, (unsigned long long)min, reg->flags,
		    (unsigned long long)reg->size);
}

/* Device info, then BAR0, mmapped when VFIO offers that. */
static void open_bar0(int dev)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_region_info reg;
	void *map;

	if (ioctl(dev, VFIO_DEVICE_GET_INFO, &info) < 0)
		die(1, "VFIO_DEVICE_GET_INFO: %s", strerror(errno));
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI) ||
	    info.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX)
		die(1, "%s: not a VFIO PCI device with BAR0 and config space (flags 0x%x, %u regions)",
		    bdf, info.flags, info.num_regions);

	region_rw(dev, &reg, VFIO_PCI_BAR0_REGION_INDEX, "BAR0", BAR_MAP_LEN);
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
}

static void close_bar0(void)
{
	if (bar_map && munmap((void *)bar_map, BAR_MAP_LEN) < 0)
		die(1, "munmap BAR0: %s", strerror(errno));
	bar_map = NULL;
}

/* The edu ID and liveness checks. */
static void check_id(void)
{
	static const uint32_t probes[] = { 0x12345678u, 0xdeadbeefu, 0u };
	uint32_t id;
	size_t i;

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
}

/* 16-bit config space access through VFIO's config region (little-endian). */
static uint16_t cfg_rd16(int dev, off_t cfg, unsigned int reg)
{
	uint16_t v;

	if (pread(dev, &v, 2, cfg + reg) != 2)
		die(1, "pread config+0x%x: %s", reg, strerror(errno));
	return le16toh(v);
}

static void cfg_wr16(int dev, off_t cfg, unsigned int reg, uint16_t v)
{
	v = htole16(v);
	if (pwrite(dev, &v, 2, cfg + reg) != 2)
		die(1, "pwrite config+0x%x: %s", reg, strerror(errno));
}

/*
 * VFIO_DEVICE_SET_IRQS on MSI: vector 0 signals eventfd efd, or MSI goes
 * off when efd < 0.  vfio_irq_set ends in a flexible array, hence the union.
 */
static void set_msi(int dev, int efd)
{
	union {
		struct vfio_irq_set set;
		uint8_t buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	} u;
	int32_t fd = efd;

	memset(&u, 0, sizeof(u));
	u.set.index = VFIO_PCI_MSI_IRQ_INDEX;
	if (efd >= 0) {
		u.set.argsz = sizeof(u.buf);
		u.set.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
		u.set.count = 1;
		memcpy(u.buf + offsetof(struct vfio_irq_set, data), &fd, sizeof(fd));
	} else {
		u.set.argsz = sizeof(u.set);
		u.set.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	}
	if (ioctl(dev, VFIO_DEVICE_SET_IRQS, &u.set) < 0)
		die(1, "VFIO_DEVICE_SET_IRQS(MSI, %s): %s",
		    efd >= 0 ? "eventfd" : "off", strerror(errno));
}

/*
 * One factorial interrupt: edu computes n! and, with the status bit 0x80
 * set, raises its interrupt, which is MSI now.  n cycles through 5..12:
 * 12! is the largest factorial that fits edu's 32-bit register.
 */
static void msi_once(int efd, unsigned int i, unsigned int count)
{
	struct pollfd pfd = { .fd = efd, .events = POLLIN };
	unsigned int n = 5 + i % 8, k;
	uint32_t want = 1, got, irq;
	uint64_t hits;
	int ret;

	for (k = 2; k <= n; k++)
		want *= k;
	if (bar_rd32(EDU_REG_STATUS) & EDU_STATUS_BUSY)
		die(1, "%s: edu still computing before interrupt %u/%u", bdf,
		    i + 1, count);
	bar_wr32(EDU_REG_STATUS, EDU_STATUS_IRQFACT);
	bar_wr32(EDU_REG_FACT, n);
	do
		ret = poll(&pfd, 1, MSI_TIMEOUT_MS);
	while (ret < 0 && errno == EINTR);
	if (ret < 0)
		die(1, "poll eventfd: %s", strerror(errno));
	if (!ret)
		die(1, "%s: no MSI within %d s for fact(%u), interrupt %u/%u (status 0x%x, interrupt status 0x%x)",
		    bdf, MSI_TIMEOUT_MS / 1000, n, i + 1, count,
		    bar_rd32(EDU_REG_STATUS), bar_rd32(EDU_REG_IRQ));
	if (read(efd, &hits, sizeof(hits)) != sizeof(hits))
		die(1, "read eventfd: %s", strerror(errno));
	if (hits != 1)
		die(1, "%s: eventfd counted %llu interrupts for fact(%u), expected 1",
		    bdf, (unsigned long long)hits, n);

	got = bar_rd32(EDU_REG_FACT);
	if (got != want)
		die(1, "%s: fact(%u) reads %u, expected %u", bdf, n, got, want);
	irq = bar_rd32(EDU_REG_IRQ);
	if (!(irq & EDU_IRQ_FACT))
		die(1, "%s: interrupt status 0x%x after the MSI, expected bit 0x%x",
		    bdf, irq, EDU_IRQ_FACT);
	bar_wr32(EDU_REG_IRQ_ACK, irq);
	if (bar_rd32(EDU_REG_IRQ) & irq)
		die(1, "%s: interrupt status 0x%x still set after acknowledging 0x%x",
		    bdf, bar_rd32(EDU_REG_IRQ), irq);
	printf("VFIO-EDU-MSI %u/%u fact(%u)=%u\n", i + 1, count, n, got);
	fflush(stdout);
}

/*
 * MSI through an eventfd, count times.  edu sends MSI once the function
 * has it enabled, which VFIO does on SET_IRQS; an MSI is a memory write by
 * the device, so bus mastering must be on too.
 */
static void check_msi(int dev, unsigned int count)
{
	struct vfio_irq_info irq = {
		.argsz = sizeof(irq), .index = VFIO_PCI_MSI_IRQ_INDEX,
	};
	struct vfio_region_info cfg;
	uint16_t cmd;
	unsigned int i;
	int efd;

	if (ioctl(dev, VFIO_DEVICE_GET_IRQ_INFO, &irq) < 0)
		die(1, "VFIO_DEVICE_GET_IRQ_INFO(MSI): %s", strerror(errno));
	if (!irq.count)
		die(1, "%s: VFIO reports MSI with count 0 (no MSI capability?)", bdf);
	if (!(irq.flags & VFIO_IRQ_INFO_EVENTFD))
		die(1, "%s: MSI cannot signal an eventfd (flags 0x%x)", bdf,
		    irq.flags);
	region_rw(dev, &cfg, VFIO_PCI_CONFIG_REGION_INDEX, "config",
		  PCI_STD_HEADER_SIZEOF);

	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		die(1, "eventfd: %s", strerror(errno));
	set_msi(dev, efd);
	cmd = cfg_rd16(dev, (off_t)cfg.offset, PCI_COMMAND);
	cfg_wr16(dev, (off_t)cfg.offset, PCI_COMMAND, cmd | PCI_COMMAND_MASTER);
	if (!(cfg_rd16(dev, (off_t)cfg.offset, PCI_COMMAND) & PCI_COMMAND_MASTER))
		die(1, "%s: bus master bit does not stick in PCI_COMMAND", bdf);

	for (i = 0; i < count; i++)
		msi_once(efd, i, count);

	/* Back as found: no interrupt on the next factorial, MSI off. */
	bar_wr32(EDU_REG_STATUS, 0);
	set_msi(dev, -1);
	cfg_wr16(dev, (off_t)cfg.offset, PCI_COMMAND, cmd);
	if (close(efd) < 0)
		die(1, "close eventfd: %s", strerror(errno));
	printf("VFIO-EDU-MSI OK count=%u\n", count);
	fflush(stdout);
}

/* Everything done through the device fd, whichever API gave it. */
static void check_device(int dev)
{
	open_bar0(dev);
	check_id();
	if (msi_count)
		check_msi(dev, msi_count);
	close_bar0();
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

/*
 * vfio makes a no-IOMMU group, /dev/vfio/noiommu-N, only for a device
 * without an IOMMU in a kernel booted with vfio.enable_unsafe_noiommu_mode=1
 * (and built with CONFIG_VFIO_NOIOMMU).
 */
static void check_noiommu_node(const char *path, unsigned long group)
{
	char real[64];
	int err;

	if (!access(path, F_OK))
		return;
	err = errno;
	snprintf(real, sizeof(real), "/dev/vfio/%lu", group);
	die(EXIT_UNSUPPORTED, "%s: %s (%s): --noiommu not supported here",
	    path, strerror(err), access(real, F_OK) ?
	    "boot with vfio.enable_unsafe_noiommu_mode=1" :
	    "the device is behind an IOMMU: its group is a real one");
}

/* The container's IOMMU model: type1 (v2 preferred), or no-IOMMU. */
static int iommu_type(int container, const char **name)
{
	if (use_noiommu) {
		*name = "NOIOMMU";
		if (ioctl(container, VFIO_CHECK_EXTENSION, VFIO_NOIOMMU_IOMMU) > 0)
			return VFIO_NOIOMMU_IOMMU;
		die(EXIT_UNSUPPORTED, "/dev/vfio/vfio does not offer the NOIOMMU IOMMU: --noiommu not supported here");
	}
	/* v2 has saner unmap semantics; plain type1 is the fallback. */
	if (ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0) {
		*name = "TYPE1v2";
		return VFIO_TYPE1v2_IOMMU;
	}
	if (ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) > 0) {
		*name = "TYPE1";
		return VFIO_TYPE1_IOMMU;
	}
	die(1, "/dev/vfio/vfio supports neither TYPE1v2 nor TYPE1 IOMMU (vfio_iommu_type1 not loaded?)");
}

static void run_group(unsigned long group)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	int container, grp, dev, ret, type;
	const char *type_name;
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/%s%lu",
		 use_noiommu ? "noiommu-" : "", group);
	if (use_noiommu)
		check_noiommu_node(path, group);
	container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (container < 0)
		die(1, "/dev/vfio/vfio: %s%s", strerror(errno),
		    errno == ENOENT ? " (vfio module not loaded?)" : "");
	ret = ioctl(container, VFIO_GET_API_VERSION);
	if (ret != VFIO_API_VERSION)
		die(1, "VFIO_GET_API_VERSION: %s %d, expected %d",
		    ret < 0 ? strerror(errno) : "returned", ret, VFIO_API_VERSION);
	type = iommu_type(container, &type_name);

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
		die(1, "VFIO_SET_IOMMU(%s): %s", type_name, strerror(errno));
	dev = ioctl(grp, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (dev < 0)
		die(1, "VFIO_GROUP_GET_DEVICE_FD(%s): %s", bdf, strerror(errno));

	check_device(dev);
	/* No IOMMU, nothing to map: the device could reach all memory. */
	if (use_noiommu)
		printf("VFIO-EDU-DMA SKIP noiommu: no IOMMU to map DMA through\n");
	else
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

	check_device(dev);
	check_dma(iommufd, alloc.out_ioas_id);
	/* Closing the device detaches and unbinds; the IOAS dies with iommufd. */
	if (close(dev) < 0 || close(iommufd) < 0)
		die(1, "close: %s", strerror(errno));
}

/* --msi N: a decimal count from 1 to MSI_MAX, nothing else. */
static unsigned int parse_count(const char *arg)
{
	unsigned long n;
	char *end;

	if (arg && isdigit((unsigned char)arg[0])) {
		errno = 0;
		n = strtoul(arg, &end, 10);
		if (!errno && !*end && n >= 1 && n <= MSI_MAX)
			return (unsigned int)n;
	}
	usage("--msi needs a count from 1 to " STR(MSI_MAX));
}

int main(int argc, char **argv)
{
	unsigned long group;
	const char *api;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--iommufd")) {
			use_iommufd = 1;
		} else if (!strcmp(argv[i], "--noiommu")) {
			use_noiommu = 1;
		} else if (!strcmp(argv[i], "--msi")) {
			msi_count = parse_count(argv[++i]);
		} else if (!strcmp(argv[i], "--sysfs-root")) {
			if (++i == argc)
				usage("--sysfs-root needs a directory");
			sysfs_root = argv[i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: " USAGE "\n");
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
	if (use_iommufd && use_noiommu)
		usage("--iommufd and --noiommu exclude each other");
	if (!bdf[0])
		find_edu();

	group = check_sysfs();
	if (use_iommufd)
		run_iommufd();
	else
		run_group(group);
	api = use_iommufd ? "iommufd" : use_noiommu ? "noiommu" : "group";
	printf("VFIO-EDU OK api=%s\n", api);
	if (fflush(stdout) == EOF || ferror(stdout))
		die(1, "stdout: %s", strerror(errno));
	return 0;
}
