# dom0kit: top-level targets. The kernel itself is built by
# scripts/dom0kit; this Makefile builds our C tools and runs the tests.

PROGS_OUT ?= $(CURDIR)/tests/progs

.PHONY: all tools progs install check check-deps check-debug check-distcc check-lines check-release check-releases check-system check-interrupt fuzz clean

all: tools progs

tools:
	$(MAKE) -C tools/xen-passthrough

progs:
	$(MAKE) -C tests/progs

install:
	$(MAKE) -C tools/xen-passthrough install

# Installs what the checks need from Debian's packages (root only), then
# runs every tests/t*.sh; ends with "N passed, N failed".
check: check-deps
	tests/run

check-deps:
	tests/install-deps

# The boot test on the qemu-debug profile (lockdep, UBSAN, SLUB debugging).
check-debug: check-deps
	DOM0KIT_CHECK_DEBUG=1 tests/run tests/t5500-boot-debug.sh

# Fetch, patch, build and boot-test every supported kernel line.
check-lines: check-deps
	DOM0KIT_CHECK_ALL_LINES=1 tests/run tests/t6000-lines.sh

# lintian on the whole source package; two builds from it, compared bit
# for bit, and one by sbuild in a clean chroot; a kernel with signed
# modules booted with module.sig_enforce=1; a kernel of another module
# ABI installed beside the first (GRUB, DKMS, removal).
check-release: check-deps
	DOM0KIT_CHECK_RELEASE=1 tests/run tests/t9200-release.sh tests/t9300-signed.sh tests/t9400-abi.sh

# Every release of every line Debian's mirror serves: fetch, patch,
# configure (qemu) and compile drivers/xen/ drivers/pci/ with W=1, one
# line per release (docs/releases.md); needs the disk of one release.
check-releases: check-deps
	DOM0KIT_CHECK_RELEASES=1 tests/run tests/t8300-check-releases.sh

# Our packages in real Debian systems. Builds the qemu-system kernel,
# installs its packages into a Debian trixie disk image and boots it from
# its GRUB into Xen 4.20 and a systemd dom0 that gives devices to HVM, PV
# and PVH guests (tests/t5600), then the UEFI boot and an image
# interrupted while it is made; installs, upgrades and purges the qemu
# kernel's packages in Debian 12 and 13 chroots with dracut and
# initramfs-tools (tests/t9100); boots the qemu-system kernel's EFI image
# under OVMF's Secure Boot (tests/t9310). make check runs only their
# judge and bad-input cases: with these it took longer than an hour.
check-system: check-deps
	DOM0KIT_CHECK_SYSTEM=1 tests/run tests/t5600-system.sh tests/t9100-install.sh tests/t9310-secureboot.sh

# The qemu kernel built through two distccd on loopback addresses, ccache
# in front and empty: the local build's packages bit for bit, and each
# daemon's log shows its share (tests/t4100).
check-distcc: check-deps
	DOM0KIT_CHECK_DISTCC=1 tests/run tests/t4100-distcc.sh

# The patch stage and a download interrupted (TERM, INT, SIGKILL) at
# several points on a generated tree and a throttled server (tests/t2050);
# the compile and package stages interrupted on the real 6.12.107 qemu
# kernel (tests/t2070; ccache makes each compile cheap). Each rerun gives
# what an uninterrupted run gives.
check-interrupt: check-deps
	DOM0KIT_CHECK_INTERRUPT=1 tests/run tests/t2050-interrupt.sh tests/t2070-interrupt-build.sh

fuzz:
	$(MAKE) -C tools/xen-passthrough fuzz

clean:
	$(MAKE) -C tools/xen-passthrough clean
	$(MAKE) -C tests/progs clean
	rm -rf .check
