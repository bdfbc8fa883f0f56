# shellcheck shell=bash
# Initramfs images for the boot test, made from the kernel's own modules
# (never /lib/modules of the host), Debian's busybox-static, Xen's tools
# and our test programs.

BOOT_INITS=$DOM0KIT_TOP/scripts/boot

# copy_elf ROOT FILE...: copies binaries with every library ldd names.
# libgcc_s is added by hand: xl dlopens it (pthread_cancel) and ldd does
# not list it.
copy_elf() {
	local root=$1 f lib; shift
	for f in "$@"; do
		[ -e "$f" ] || die "$EXIT_DEPS" "boot test needs $f (install the Xen tools: xen-utils)"
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
		for lib in $(ldd "$f" 2>/dev/null | grep -oE '/[^ ]+'); do
			[ -e "$root$lib" ] && continue
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
	done
	lib=$(find /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu -name 'libgcc_s.so.1' 2>/dev/null | head -n 1)
	[ -z "$lib" ] || { mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; }
}

# base_root ROOT INIT: busybox with its applets, /init and the usual dirs.
base_root() {
	local root=$1 init=$2 a
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,run,tmp,lib,boot,root}
	cp /bin/busybox "$root/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
	done
	cp "$init" "$root/init"
	chmod 755 "$root/init"
	mkdir -p "$root/var"
	echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
}

# install_kmod ROOT: Debian's kmod as modprobe (it applies module.param=
# options from /proc/cmdline, which busybox's insmod does not).
install_kmod() {
	local root=$1 t
	copy_elf "$root" /usr/bin/kmod
	for t in modprobe insmod rmmod lsmod depmod modinfo; do
		ln -sf /usr/bin/kmod "$root/sbin/$t"
	done
	rm -f "$root/bin/modprobe" "$root/bin/insmod" "$root/bin/rmmod" "$root/bin/lsmod"
}

# install_modules ROOT: the built kernel's modules, stripped, with depmod.
install_modules() {
	local root=$1 modroot=$BOOTDIR/modroot
	if [ ! -f "$modroot/.stamp" ] || [ "$modroot/.stamp" -ot "$OBJDIR/arch/x86/boot/bzImage" ]; then
		rm -rf "$modroot"
		run_logged boot-test kmake INSTALL_MOD_PATH="$modroot" INSTALL_MOD_STRIP=1 modules_install ||
			die "$EXIT_FAIL" "modules_install failed"
		touch "$modroot/.stamp"
	fi
	mkdir -p "$root/lib"
	cp -a "$modroot/lib/modules" "$root/lib/"
}

pack_cpio() {
	local root=$1 out=$2
	(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) | gzip -1 >"$out.tmp"
	mv -f "$out.tmp" "$out"
}

# The test programs run in images without libc: static binaries.
build_progs() {
	run_logged boot-test make -C "$DOM0KIT_TOP/tests/progs" O="$BOOTDIR/progs" ||
		die "$EXIT_FAIL" "cannot build the test programs in tests/progs"
}

# Xen's tools from Debian's xen-utils-X.Y, whichever version is installed.
xen_tool() {
	local t=$1 f
	for f in /usr/lib/xen-*/bin/"$t" /usr/sbin/"$t" /usr/bin/"$t"; do
		[ -f "$f" ] && ! head -c 2 "$f" | grep -q '#!' && { echo "$f"; return 0; }
	done
	die "$EXIT_DEPS" "Xen tool $t not found: apt-get install xen-utils-4.17 (or the xen-utils of your release)"
}

make_domu_image() {
	local root=$BOOTDIR/domu-root ko
	base_root "$root" "$BOOT_INITS/domu-init"
	cp "$BOOTDIR/progs/edu-probe" "$BOOTDIR/progs/mmio" "$root/bin/"
	ko=$(find "$BOOTDIR/modroot" -name 'xen-pcifront.ko*' | head -n 1)
	[ -z "$ko" ] || cp "$ko" "$root/lib/xen-pcifront.ko"
	pack_cpio "$root" "$BOOTDIR/domu-initrd.gz"
}

make_dom0_image() {
	local root=$BOOTDIR/dom0-root t
	base_root "$root" "$BOOT_INITS/dom0-init"
	install_kmod "$root"
	install_modules "$root"
	for t in xl xenstored xenconsoled xen-init-dom0 xenconsole; do
		copy_elf "$root" "$(xen_tool "$t")"
		ln -sf "$(xen_tool "$t")" "$root/usr/sbin/$t"
	done
	mkdir -p "$root/etc/xen"
	run_logged boot-test make -C "$DOM0KIT_TOP/tools/xen-passthrough" ||
		die "$EXIT_FAIL" "cannot build tools/xen-passthrough"
	copy_elf "$root" "$DOM0KIT_TOP/tools/xen-passthrough/xen-passthrough"
	mv "$root$DOM0KIT_TOP/tools/xen-passthrough/xen-passthrough" "$root/usr/sbin/xen-passthrough"
	rm -rf "${root:?}${DOM0KIT_TOP:?}"
	cp "$BOOTDIR/progs/mmio" "$root/bin/"
	cp "$OBJDIR/arch/x86/boot/bzImage" "$root/boot/vmlinuz"
	make_domu_image
	cp "$BOOTDIR/domu-initrd.gz" "$root/boot/domu-initrd"
	pack_cpio "$root" "$BOOTDIR/dom0-initrd.gz"
}

make_kvm_image() {
	local root=$BOOTDIR/kvm-root
	base_root "$root" "$BOOT_INITS/kvm-init"
	install_kmod "$root"
	install_modules "$root"
	cp "$BOOTDIR/progs/kvm-smoke" "$BOOTDIR/progs/vfio-edu" "$root/bin/"
	pack_cpio "$root" "$BOOTDIR/kvm-initrd.gz"
}
