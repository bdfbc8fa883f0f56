# shellcheck shell=bash
# Initramfs images for the boot test, made from the kernel's own modules
# (never /lib/modules of the host), Debian's busybox-static, Xen's tools
# and our test programs.

BOOT_INITS=$DOM0KIT_TOP/scripts/boot

# copy_elf ROOT FILE...: copies binaries with every library they need.
# The libraries are the host's (ldd), or, with ELF_FROM set to another
# root (boot-test --xen=4.20: trixie), only that root's, found by its own
# ld.so; a FILE inside ELF_FROM goes to its path inside that root.
# libgcc_s is added by hand: xl dlopens it (pthread_cancel) and ldd does
# not list it.
copy_elf() {
	local root=$1 from=${ELF_FROM:-} f lib libs; shift
	for f in "$@"; do
		[ -e "$f" ] || die "$EXIT_DEPS" "boot test needs $f (install the Xen tools: xen-utils)"
		mkdir -p "$root$(dirname "${f#"$from"}")"
		cp -L "$f" "$root${f#"$from"}"
		libs=$(elf_libs "$f") || exit
		for lib in $libs; do
			[ -e "$root${lib#*=}" ] && continue
			mkdir -p "$root$(dirname "${lib#*=}")"
			cp -L "${lib%%=*}" "$root${lib#*=}"
		done
	done
	lib=$(find "$from/usr/lib/x86_64-linux-gnu" "$from/lib/x86_64-linux-gnu" -name 'libgcc_s.so.1' 2>/dev/null | head -n 1)
	[ -z "$lib" ] || { mkdir -p "$root$(dirname "${lib#"$from"}")"; cp -L "$lib" "$root${lib#"$from"}"; }
}

# elf_libs FILE: SOURCE=DEST for every library FILE needs, its ELF
# interpreter included; from the host, or from ELF_FROM and nowhere else.
elf_libs() {
	local from=${ELF_FROM:-} out name path
	if [ -z "$from" ]; then
		for path in $(ldd "$1" 2>/dev/null | grep -oE '/[^ ]+'); do echo "$path=$path"; done
		return 0
	fi
	out=$("$from/lib64/ld-linux-x86-64.so.2" --inhibit-cache \
		--library-path "$from/usr/lib/x86_64-linux-gnu:$from/usr/lib" --list "$1") ||
		die "$EXIT_FAIL" "cannot list the libraries of $1 with the ld.so of $from"
	while read -r name _ path _; do
		case $name in linux-vdso.so.* | "") continue ;; esac
		[[ $path == "$from"/* ]] || die "$EXIT_FAIL" "$1 needs $name, which $from lacks (found: ${path:-nothing})"
		# The interpreter keeps the path the binaries name.
		if [[ $name == /* ]]; then echo "$path=$name"; else echo "$path=${path#"$from"}"; fi
	done <<<"$out"
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
	copy_elf "$root" "${ELF_FROM:-}/usr/bin/kmod"
	for t in modprobe insmod rmmod lsmod depmod modinfo; do
		ln -sf /usr/bin/kmod "$root/sbin/$t"
	done
	rm -f "$root/bin/modprobe" "$root/bin/insmod" "$root/bin/rmmod" "$root/bin/lsmod"
}

# install_modules ROOT: the built kernel's modules, stripped, with depmod.
# Installed again when the image or any module is newer than the last
# install: a change in a module alone does not relink the image.
install_modules() {
	local root=$1 modroot=$BOOTDIR/modroot
	if [ ! -f "$modroot/.stamp" ] || [ "$modroot/.stamp" -ot "$OBJDIR/arch/x86/boot/bzImage" ] ||
		[ -n "$(find "$OBJDIR" -name '*.ko' -newer "$modroot/.stamp" -print -quit)" ]; then
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

make_domu_image() {
	local root=$BOOTDIR/domu-root ko
	base_root "$root" "$BOOT_INITS/domu-init"
	cp "$BOOTDIR/progs/edu-probe" "$BOOTDIR/progs/mmio" "$root/bin/"
	ko=$(find "$BOOTDIR/modroot" -name 'xen-pcifront.ko*' | head -n 1)
	[ -z "$ko" ] || cp "$ko" "$root/lib/xen-pcifront.ko"
	pack_cpio "$root" "$BOOTDIR/domu-initrd.gz"
}

# The dom0 image: Xen's tools (xen_tool, boot-xen.sh) with kmod and
# xen-passthrough on the libraries of the same root, so that one libc
# and its ld.so serve every binary in it.
make_dom0_image() {
	local root=$BOOTDIR/dom0-root t f ELF_FROM=${XEN_TOOLROOT:-}
	base_root "$root" "$BOOT_INITS/dom0-init"
	install_kmod "$root"
	install_modules "$root"
	for t in xl xenstored xenconsoled xen-init-dom0 xenconsole; do
		f=$(xen_tool "$t")
		copy_elf "$root" "$f"
		ln -sf "${f#"$ELF_FROM"}" "$root/usr/sbin/$t"
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
	[ "$(find "$root" -name 'libc.so.6' | wc -l)" -le 1 ] ||
		die "$EXIT_FAIL" "the dom0 image holds two libcs: $(cd "$root" && find . -name 'libc.so.6' | paste -sd' ')"
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
