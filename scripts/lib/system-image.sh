# shellcheck shell=bash
# system-test's disk image: a Debian system made by mmdebstrap (cached by
# suite and package set), our packages installed into it with dpkg as an
# admin would, GRUB on its MBR. Everything mounted is unmounted and every
# loop device detached on any exit (system_unmount, from the stage's
# trap); the cached base is written to a temp name and renamed.

# Debian's packages of a dom0 that hands devices to HVM, PV and PVH
# guests; the initramfs generator comes on top. Our packages' own
# dependencies (linux-base, kmod, libpci3) are here too: dpkg -i installs
# them without a network.
SYSTEM_PACKAGES=${DOM0KIT_SYSTEM_PACKAGES:-"systemd-sysv udev kmod grub-pc xen-system-amd64 qemu-system-xen busybox pciutils libpci3 linux-base zstd procps e2fsprogs"}
SYSTEM_DISK_SIZE=6G
SYSTEM_LABEL=dom0kit-root
SYSTEM_LOOP='' SYSTEM_MNT=''
# SYSTEM_DIR (the run's directory) is set by system_test.sh.
: "${SYSTEM_DIR:=}"

# system_base_path: SYSTEM_BASE, the name of the cached tar of SUITE
# with the packages (boot-test --xen=4.20 reads Xen from it too).
system_base_path() {
	local key
	key=$(printf '%s\n' "$SYSTEM_SUITE" "$DEBIAN_MIRROR" "$SYSTEM_PACKAGES $SYSTEM_INITRAMFS" | sha256sum | cut -c1-12)
	SYSTEM_BASE=$DOM0KIT_CACHE/system/$SYSTEM_SUITE-$SYSTEM_INITRAMFS-$key.tar
}

# system_base: SYSTEM_BASE, the cached tar of SUITE with the packages,
# made now if missing (SYSTEM_BASE_CACHED says which); mmdebstrap's log
# goes to SYSTEM_BASE_LOG.
# shellcheck disable=SC2034
system_base() {
	local pkgs dir log
	pkgs="$SYSTEM_PACKAGES $SYSTEM_INITRAMFS"
	system_base_path
	dir=${SYSTEM_BASE%/*}
	[ -s "$SYSTEM_BASE" ] && { SYSTEM_BASE_CACHED=1; return 0; }
	SYSTEM_BASE_CACHED=''
	log=${SYSTEM_BASE_LOG:-$WORKDIR/logs/system/mmdebstrap.log}
	mkdir -p "$dir" "${log%/*}"
	info "    mmdebstrap $SYSTEM_SUITE ($SYSTEM_INITRAMFS) into the cache"
	rm -rf "$dir/.$SYSTEM_SUITE-$SYSTEM_INITRAMFS-"*.tmp.tar
	if ! mmdebstrap --variant=apt --include="${pkgs// /,}" "$SYSTEM_SUITE" \
		"$dir/.${SYSTEM_BASE##*/}.tmp.tar" "$DEBIAN_MIRROR" >"$log" 2>&1; then
		rm -f "$dir/.${SYSTEM_BASE##*/}.tmp.tar"
		tail -n 30 "$log" >&2
		local missing
		missing=$(sed -n 's/.*Unable to locate package \([^ ]*\).*/\1/p; s/.*Package \([^ ]*\) has no installation candidate.*/\1/p' "$log" | sort -u | paste -sd' ')
		[ -z "$missing" ] || die "$EXIT_FETCH" "Debian $SYSTEM_SUITE has no package $missing (see $log)"
		die "$EXIT_FETCH" "mmdebstrap of Debian $SYSTEM_SUITE failed (see $log)"
	fi
	mv -f "$dir/.${SYSTEM_BASE##*/}.tmp.tar" "$SYSTEM_BASE"
}

# system_unmount: undoes system_mount; safe to call twice and on any exit.
system_unmount() {
	local m
	if [ -n "$SYSTEM_MNT" ]; then
		for m in dev/pts dev proc sys ''; do
			mountpoint -q "$SYSTEM_MNT/$m" 2>/dev/null && umount -l "$SYSTEM_MNT/$m"
		done
	fi
	if [ -n "$SYSTEM_LOOP" ]; then
		partx -d "$SYSTEM_LOOP" 2>/dev/null || true
		losetup -d "$SYSTEM_LOOP" 2>/dev/null || true
	fi
	SYSTEM_LOOP='' SYSTEM_MNT=''
	return 0
}

# system_mount DISK: the disk's one partition on SYSTEM_MNT, with /dev,
# /proc and /sys for the chroot. Without udev losetup -P makes no
# partition node: partx adds it, mknod if the kernel did not.
system_mount() {
	local disk=$1 part dev
	SYSTEM_LOOP=$(losetup -f --show "$disk") || die "$EXIT_FAIL" "no free loop device for $disk"
	partx -a "$SYSTEM_LOOP" 2>/dev/null || true
	part=${SYSTEM_LOOP}p1
	if [ ! -b "$part" ]; then
		dev=$(cat "/sys/block/${SYSTEM_LOOP##*/}/${SYSTEM_LOOP##*/}p1/dev" 2>/dev/null) ||
			die "$EXIT_FAIL" "the kernel shows no partition on $SYSTEM_LOOP"
		mknod "$part" b "${dev%:*}" "${dev#*:}"
	fi
	SYSTEM_PART=$part
	SYSTEM_MNT=$SYSTEM_DIR/mnt
	mkdir -p "$SYSTEM_MNT"
}

# system_make_disk: WORKDIR/system/disk.raw from the base, our packages
# installed by dpkg (their hooks make the initramfs and GRUB's menu),
# GRUB on the MBR, the test driver enabled. A failure leaves no disk.
system_make_disk() {
	local disk=$SYSTEM_DIR/disk.raw tmp=$SYSTEM_DIR/.disk.raw.tmp log=$WORKDIR/logs/system/image.log
	rm -f "$disk" "$tmp"
	truncate -s "$SYSTEM_DISK_SIZE" "$tmp"
	echo 'type=83, bootable' | sfdisk -q "$tmp" >"$log" 2>&1 || die "$EXIT_FAIL" "sfdisk failed (see $log)"
	system_mount "$tmp"
	mkfs.ext4 -q -L "$SYSTEM_LABEL" "$SYSTEM_PART" >>"$log" 2>&1 || die "$EXIT_FAIL" "mkfs.ext4 failed (see $log)"
	mount "$SYSTEM_PART" "$SYSTEM_MNT"
	tar -xpf "$SYSTEM_BASE" -C "$SYSTEM_MNT" || die "$EXIT_FAIL" "cannot unpack $SYSTEM_BASE"
	mount --bind /dev "$SYSTEM_MNT/dev"
	mount -t devpts devpts "$SYSTEM_MNT/dev/pts" 2>/dev/null || true
	mount -t proc proc "$SYSTEM_MNT/proc"
	mount -t sysfs sysfs "$SYSTEM_MNT/sys"
	system_configure "$SYSTEM_MNT"
	mkdir -p "$SYSTEM_MNT/tmp/dom0kit-debs"
	cp "${SYSTEM_DEBS[@]}" "$SYSTEM_MNT/tmp/dom0kit-debs/"
	if ! in_chroot sh -c 'dpkg -i /tmp/dom0kit-debs/*.deb' >>"$log" 2>&1; then
		tail -n 30 "$log" >&2
		local dep
		dep=$(sed -n 's/.* depends on \([^;]*\); however:.*/\1/p' "$log" | sort -u | paste -sd' ')
		[ -z "$dep" ] || die "$EXIT_FAIL" "our packages need $dep, which the $SYSTEM_SUITE image lacks (see $log)"
		die "$EXIT_FAIL" "dpkg -i of our packages failed in the $SYSTEM_SUITE image (see $log)"
	fi
	rm -rf "$SYSTEM_MNT/tmp/dom0kit-debs"
	# Then, as the README tells an admin: the seize list, and the
	# initramfs made again with it.
	{
		echo "# dom0kit system-test: edu and e1000e for the HVM guests, edu for the PV guest,"
		echo "# both functions of the card behind the root port for hvm-reset-guard."
		printf '%s\n' "${SYSTEM_SEIZE// /$'\n'}"
	} >"$SYSTEM_MNT/etc/dom0kit/pciback.conf"
	if [ "$SYSTEM_INITRAMFS" = dracut ]; then
		in_chroot dracut --force --kver "$KERNELRELEASE" >>"$log" 2>&1
	else
		in_chroot update-initramfs -u -k "$KERNELRELEASE" >>"$log" 2>&1
	fi || die "$EXIT_FAIL" "$SYSTEM_INITRAMFS failed with the seize list (see $log)"
	in_chroot grub-install --target=i386-pc "$SYSTEM_LOOP" >>"$log" 2>&1 || die "$EXIT_FAIL" "grub-install failed (see $log)"
	in_chroot update-grub >>"$log" 2>&1 || die "$EXIT_FAIL" "update-grub failed (see $log)"
	system_unmount
	mv -f "$tmp" "$disk"
}

in_chroot() { chroot "$SYSTEM_MNT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"; }

# system_configure ROOT: what an admin sets up before installing our
# kernel: GRUB on the serial console with the Xen command line, the
# seize list, xenconsoled logging guests' consoles, the test driver and
# the guests' kernel and initramfs.
system_configure() {
	local root=$1
	echo dom0kit-sys >"$root/etc/hostname"
	echo "LABEL=$SYSTEM_LABEL / ext4 errors=remount-ro 0 1" >"$root/etc/fstab"
	mkdir -p "$root/etc/default/grub.d"
	cat >"$root/etc/default/grub.d/dom0kit-system-test.cfg" <<EOF
# dom0kit system-test: serial console, Xen command line; update-grub in
# a chroot sees the loop device, the last root= wins.
GRUB_TIMEOUT=1
GRUB_TERMINAL=serial
GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"
GRUB_DISABLE_OS_PROBER=true
GRUB_CMDLINE_XEN_DEFAULT="console=com1 com1=115200,8n1 dom0_mem=1280M,max:1280M iommu=1 loglvl=all guest_loglvl=all"
GRUB_CMDLINE_LINUX="console=hvc0 earlyprintk=xen root=LABEL=$SYSTEM_LABEL"
# Not quiet: a kernel WARNING (KERN_WARNING) must reach the console.
GRUB_CMDLINE_LINUX_DEFAULT=""
EOF
	# Debian's /etc/init.d/xen passes XENCONSOLED_ARGS to xenconsoled.
	echo 'XENCONSOLED_ARGS="--log=guest --log-dir=/var/log/xen/console"' >>"$root/etc/default/xen"
	mkdir -p "$root/var/log/xen/console"
	install -D -m 755 "$DOM0KIT_TOP/scripts/system/dom0-test" "$root/usr/local/sbin/dom0kit-system-test"
	install -D -m 644 "$DOM0KIT_TOP/scripts/system/dom0kit-system-test.service" \
		"$root/etc/systemd/system/dom0kit-system-test.service"
	mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
	ln -sf ../dom0kit-system-test.service "$root/etc/systemd/system/multi-user.target.wants/"
	# No login prompt on hvc0: it would share lines with the markers.
	ln -sf /dev/null "$root/etc/systemd/system/serial-getty@hvc0.service"
	mkdir -p "$root/var/lib/dom0kit-test"
	printf '%s\n' "$SYSTEM_SCENARIOS" >"$root/var/lib/dom0kit-test/scenarios"
	echo 1 >"$root/var/lib/dom0kit-test/phase"
	cp "$SYSTEM_DIR/guest-initrd.gz" "$root/var/lib/dom0kit-test/guest-initrd.gz"
	install -m 755 "$SYSTEM_DIR/progs/mmio" "$root/usr/local/sbin/dom0kit-mmio"
}

# system_guest_image: the guests' initramfs (busybox, kmod, our kernel's
# modules, the test programs); the guests boot the kernel the package
# installed in dom0's /boot.
system_guest_image() {
	local root=$SYSTEM_DIR/guest-root
	base_root "$root" "$DOM0KIT_TOP/scripts/system/guest-init"
	install_kmod "$root"
	install_modules "$root"
	cp "$SYSTEM_DIR/progs/edu-probe" "$SYSTEM_DIR/progs/mmio" "$SYSTEM_DIR/progs/vfio-edu" "$root/bin/"
	pack_cpio "$root" "$SYSTEM_DIR/guest-initrd.gz"
}
