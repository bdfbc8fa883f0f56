// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-smoke - smallest useful proof that /dev/kvm runs guest code.
 *
 *   kvm-smoke [--vcpus N] [--kvm-dev PATH]
 *
 * Creates one VM with a 64 KiB memory slot at guest physical 0 holding a
 * few bytes of real-mode code, then N vCPUs that all start at that code
 * with BX = their index.  Each vCPU does two OUTs of index-derived bytes
 * to a port and HLTs; every exit is checked against that script.  vCPUs
 * run one after another from this thread: no pthreads needed in the
 * static binary, and a failure names exactly which vCPU and which step.
 *
 * The boot test runs this in a kvm_amd host that is itself a QEMU TCG
 * guest (-cpu qemu64,+svm); real mode keeps the guest side trivial there.
 *
 * stdout markers: "KVM-VCPU <i> OK" per vCPU, "KVM-SMOKE OK vcpus=<N>".
 * Failures: one line on stderr, exit 1 (2 for usage, 77 if not x86).
 * --kvm-dev lets the tests aim at a missing path or a non-KVM device.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#define PROG		"kvm-smoke"
#define MEM_SIZE	0x10000		/* 64 KiB guest RAM at GPA 0 */
#define CODE_GPA	0x1000
#define IO_PORT		0x00e9		/* Bochs/QEMU debug port; nothing in-kernel claims it */
#define MAX_VCPUS	64
#define MAX_EXITS	16		/* script has 3; bound the loop anyway */

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
	die(2, "%s (usage: " PROG " [--vcpus N] [--kvm-dev PATH])", why);
}

#if defined(__x86_64__) || defined(__i386__)

/*
 * 16-bit real-mode guest, loaded at CS:IP = 0000:1000, BX = vCPU index:
 *
 *	mov dx, IO_PORT		BA lo hi
 *	mov al, bl		88 D8
 *	add al, 'A'		04 41
 *	out dx, al		EE
 *	mov al, bl		88 D8
 *	add al, 'a'		04 61
 *	out dx, al		EE
 *	hlt			F4
 *	jmp $-1 (back to hlt)	EB FD	 never reached: we stop at HLT exit
 */
static const uint8_t guest_code[] = {
	0xba, IO_PORT & 0xff, IO_PORT >> 8,
	0x88, 0xd8, 0x04, 'A', 0xee,
	0x88, 0xd8, 0x04, 'a', 0xee,
	0xf4,
	0xeb, 0xfd,
};

static const char *exit_name(uint32_t reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN", [KVM_EXIT_EXCEPTION] = "EXCEPTION",
		[KVM_EXIT_IO] = "IO", [KVM_EXIT_HYPERCALL] = "HYPERCALL",
		[KVM_EXIT_DEBUG] = "DEBUG", [KVM_EXIT_HLT] = "HLT",
		[KVM_EXIT_MMIO] = "MMIO", [KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN (triple fault?)",
		[KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY", [KVM_EXIT_INTR] = "INTR",
		[KVM_EXIT_NMI] = "NMI", [KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
		[KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
	};

	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "?";
}

/* Fail on an unexpected exit with everything needed to diagnose it. */
static void __attribute__((noreturn))
bad_exit(int idx, int step, const char *want, const struct kvm_run *run,
	 const struct kvm_regs *regs)
{
	switch (run->exit_reason) {
	case KVM_EXIT_FAIL_ENTRY:
		die(1, "vcpu %d step %d: expected %s, got exit %u (FAIL_ENTRY) hardware_entry_failure_reason=0x%llx",
		    idx, step, want, run->exit_reason,
		    (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
	case KVM_EXIT_INTERNAL_ERROR:
		die(1, "vcpu %d step %d: expected %s, got exit %u (INTERNAL_ERROR) suberror=%u",
		    idx, step, want, run->exit_reason, run->internal.suberror);
	case KVM_EXIT_IO:
		die(1, "vcpu %d step %d: expected %s, got IO %s port 0x%x size %u count %u",
		    idx, step, want,
		    run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
		    run->io.port, run->io.size, run->io.count);
	default:
		die(1, "vcpu %d step %d: expected %s, got exit %u (%s) rip=0x%llx",
		    idx, step, want, run->exit_reason, exit_name(run->exit_reason),
		    regs ? (unsigned long long)regs->rip : 0ULL);
	}
}

/* KVM_RUN, retrying only on signal interruption. */
static void run_vcpu(int fd, int idx)
{
	int ret;

	do
		ret = ioctl(fd, KVM_RUN, 0);
	while (ret < 0 && errno == EINTR);
	if (ret < 0)
		die(1, "vcpu %d: KVM_RUN: %s", idx, strerror(errno));
}

static void smoke_vcpu(int vm, int idx, size_t run_size)
{
	/* The script: two OUTs of index-derived bytes, then HLT. */
	const uint8_t want[2] = { (uint8_t)('A' + idx), (uint8_t)('a' + idx) };
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_run *run;
	int fd, step, nout = 0;

	fd = ioctl(vm, KVM_CREATE_VCPU, (unsigned long)idx);
	if (fd < 0)
		die(1, "vcpu %d: KVM_CREATE_VCPU: %s", idx, strerror(errno));
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (run == MAP_FAILED)
		die(1, "vcpu %d: mmap kvm_run (%zu bytes): %s", idx, run_size,
		    strerror(errno));

	/* Reset state is real mode with CS base 0xffff0000; move it to 0. */
	if (ioctl(fd, KVM_GET_SREGS, &sregs) < 0)
		die(1, "vcpu %d: KVM_GET_SREGS: %s", idx, strerror(errno));
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(fd, KVM_SET_SREGS, &sregs) < 0)
		die(1, "vcpu %d: KVM_SET_SREGS: %s", idx, strerror(errno));

	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE_GPA;
	regs.rflags = 0x2;	/* bit 1 is reserved-as-one; IF clear */
	regs.rbx = (unsigned)idx;
	regs.rsp = MEM_SIZE - 0x10;
	if (ioctl(fd, KVM_SET_REGS, &regs) < 0)
		die(1, "vcpu %d: KVM_SET_REGS: %s", idx, strerror(errno));

	for (step = 0; step < MAX_EXITS; step++) {
		const char *expect = nout < 2 ? "IO out" : "HLT";

		run_vcpu(fd, idx);
		if (run->exit_reason == KVM_EXIT_INTR)
			continue;	/* a signal kicked us out; just re-enter */
		if (nout < 2) {
			uint8_t data;

			if (run->exit_reason != KVM_EXIT_IO ||
			    run->io.direction != KVM_EXIT_IO_OUT ||
			    run->io.port != IO_PORT || run->io.size != 1 ||
			    run->io.count != 1) {
				if (ioctl(fd, KVM_GET_REGS, &regs) < 0)
					bad_exit(idx, step, expect, run, NULL);
				bad_exit(idx, step, "IO out port 0xe9 size 1",
					 run, &regs);
			}
			if (run->io.data_offset + 1 > run_size)
				die(1, "vcpu %d: io.data_offset %llu outside kvm_run",
				    idx, (unsigned long long)run->io.data_offset);
			data = ((const uint8_t *)run)[run->io.data_offset];
			if (data != want[nout])
				die(1, "vcpu %d: OUT #%d wrote 0x%02x, expected 0x%02x",
				    idx, nout + 1, data, want[nout]);
			nout++;
			continue;
		}
		if (run->exit_reason != KVM_EXIT_HLT) {
			if (ioctl(fd, KVM_GET_REGS, &regs) < 0)
				bad_exit(idx, step, expect, run, NULL);
			bad_exit(idx, step, expect, run, &regs);
		}
		break;
	}
	if (step == MAX_EXITS)
		die(1, "vcpu %d: no HLT after %d exits", idx, MAX_EXITS);

	if (munmap(run, run_size) < 0)
		die(1, "vcpu %d: munmap kvm_run: %s", idx, strerror(errno));
	if (close(fd) < 0)
		die(1, "vcpu %d: close: %s", idx, strerror(errno));
	printf("KVM-VCPU %d OK\n", idx);
	fflush(stdout);
}

static int smoke(const char *dev, int nvcpus)
{
	struct kvm_userspace_memory_region region;
	int kvm, vm, ret, max, i;
	size_t run_size;
	uint8_t *mem;

	kvm = open(dev, O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die(1, "%s: %s%s", dev, strerror(errno),
		    errno == ENOENT ? " (is kvm_amd/kvm_intel loaded?)" :
		    errno == EACCES ? " (not in the kvm group?)" : "");
	ret = ioctl(kvm, KVM_GET_API_VERSION, 0);
	if (ret < 0)
		die(1, "%s: KVM_GET_API_VERSION: %s (not a KVM device?)", dev,
		    strerror(errno));
	if (ret != KVM_API_VERSION)
		die(1, "%s: KVM_GET_API_VERSION returned %d, expected %d", dev,
		    ret, KVM_API_VERSION);

	/* Refuse up front rather than fail at the N-th KVM_CREATE_VCPU. */
	max = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (max <= 0)
		max = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	if (max > 0 && nvcpus > max)
		die(1, "--vcpus %d exceeds KVM's limit of %d", nvcpus, max);

	ret = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ret < 0)
		die(1, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
	if ((size_t)ret < sizeof(struct kvm_run))
		die(1, "KVM_GET_VCPU_MMAP_SIZE: %d is smaller than struct kvm_run", ret);
	run_size = (size_t)ret;

	vm = ioctl(kvm, KVM_CREATE_VM, 0UL);
	if (vm < 0)
		die(1, "KVM_CREATE_VM: %s%s", strerror(errno),
		    errno == EBUSY || errno == EINVAL ?
		    " (virtualization disabled or in use by another hypervisor?)" : "");

	/*
	 * VMX without unrestricted guest emulates real mode through a TSS
	 * that KVM wants placed in guest physical space; SVM ignores it.
	 * Put it far above our 64 KiB slot, where kvmtool/QEMU put it.
	 */
	if (ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR) > 0 &&
	    ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000UL) < 0)
		die(1, "KVM_SET_TSS_ADDR: %s", strerror(errno));

	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		die(1, "mmap guest memory: %s", strerror(errno));
	memcpy(mem + CODE_GPA, guest_code, sizeof(guest_code));

	memset(&region, 0, sizeof(region));
	region.slot = 0;
	region.guest_phys_addr = 0;
	region.memory_size = MEM_SIZE;
	region.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die(1, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));

	for (i = 0; i < nvcpus; i++)
		smoke_vcpu(vm, i, run_size);

	if (close(vm) < 0 || close(kvm) < 0)
		die(1, "close: %s", strerror(errno));
	if (munmap(mem, MEM_SIZE) < 0)
		die(1, "munmap guest memory: %s", strerror(errno));
	printf("KVM-SMOKE OK vcpus=%d\n", nvcpus);
	if (fflush(stdout) == EOF || ferror(stdout))
		die(1, "stdout: %s", strerror(errno));
	return 0;
}

#else /* !x86 */

static int smoke(const char *dev, int nvcpus)
{
	(void)dev;
	(void)nvcpus;
	die(77, "the guest code is x86 real mode; this architecture is not supported");
}

#endif

int main(int argc, char **argv)
{
	const char *dev = "/dev/kvm";
	int i, nvcpus = 2;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--vcpus")) {
			char *end;
			long n;

			if (++i == argc)
				usage("--vcpus needs a number");
			errno = 0;
			n = strtol(argv[i], &end, 10);
			if (errno || end == argv[i] || *end || n < 1 || n > MAX_VCPUS)
				usage("--vcpus must be a number from 1 to 64");
			nvcpus = (int)n;
		} else if (!strcmp(argv[i], "--kvm-dev")) {
			if (++i == argc)
				usage("--kvm-dev needs a path");
			dev = argv[i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: " PROG " [--vcpus N] [--kvm-dev PATH]\n");
			return 0;
		} else {
			usage("unknown argument");
		}
	}
	return smoke(dev, nvcpus);
}
