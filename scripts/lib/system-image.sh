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
# With UEFI, GRUB's EFI build replaces grub-pc (SYSTEM_BASE_PACKAGES).
system_base_path() {
	local key fw=${SYSTEM_FIRMWARE:-bios} suffix=''
	[ "$fw" = bios ] || suffix=-$fw
	SYSTEM_BASE_PACKAGES="$SYSTEM_PACKAGES $SYSTEM_INITRAMFS"
	[ "$fw" != uefi ] || SYSTEM_BASE_PACKAGES="${SYSTEM_BASE_PACKAGES/grub-pc/grub-efi-amd64} dosfstools"
	key=$(printf '%s\n' "$SYSTEM_SUITE" "$DEBIAN_MIRROR" "$SYSTEM_BASE_PACKAGES" | sha256sum | cut -c1-12)
	SYSTEM_BASE=$DOM0KIT_CACHE/system/$SYSTEM_SUITE-$SYSTEM_INITRAMFS$suffix-$key.tar
}

# system_base: SYSTEM_BASE, the cached tar of SUITE with the packages,
# made now if missing (SYSTEM_BASE_CACHED says which); mmdebstrap's log
# goes to SYSTEM_BASE_LOG.
# shellcheck disable=SC2034
system_base() {
	local dir log
	system_base_path
	dir=${SYSTEM_BASE%/*}
	[ -s "$SYSTEM_BASE" ] && { SYSTEM_BASE_CACHED=1; return 0; }
	SYSTEM_BASE_CACHED=''
	log=${SYSTEM_BASE_LOG:-$WORKDIR/logs/system/mmdebstrap.log}
	mkdir -p "$dir" "${log%/*}"
	info "    mmdebstrap $SYSTEM_SUITE ($SYSTEM_INITRAMFS, $SYSTEM_FIRMWARE) into the cache"
	rm -rf "$dir/.${SYSTEM_BASE##*/}.tmp.tar"
	if ! mmdebstrap --variant=apt --include="${SYSTEM_BASE_PACKAGES// /,}" "$SYSTEM_SUITE" \
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

# system_part N: the node of partition N of SYSTEM_LOOP. Without udev
# losetup makes no partition nodes: partx adds them, mknod if the kernel
# did not.
system_part() {
	local part=${SYSTEM_LOOP}p$1 dev
	if [ ! -b "$part" ]; then
		dev=$(cat "/sys/block/${SYSTEM_LOOP##*/}/${SYSTEM_LOOP##*/}p$1/dev" 2>/dev/null) ||
			die "$EXIT_FAIL" "the kernel shows no partition $1 on $SYSTEM_LOOP"
		mknod "$part" b "${dev%:*}" "${dev#*:}"
	fi
	echo "$part"
}

# system_mount DISK: DISK on a loop device with its partitions; the root
# file system (partition 1 with BIOS, 2 after the ESP with UEFI) is
# SYSTEM_PART, to be mounted on SYSTEM_MNT.
system_mount() {
	local disk=$1
	SYSTEM_LOOP=$(losetup -f --show "$disk") || die "$EXIT_FAIL" "no free loop device for $disk"
	partx -a "$SYSTEM_LOOP" 2>/dev/null || true
	if [ "$SYSTEM_FIRMWARE" = uefi ]; then
		SYSTEM_ESP=$(system_part 1) || exit
		SYSTEM_PART=$(system_part 2) || exit
	else
		SYSTEM_PART=$(system_part 1) || exit
	fi
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
	if [ "$SYSTEM_FIRMWARE" = uefi ]; then
		# GPT: an EFI system partition, then the root file system.
		printf '%s\n' 'label: gpt' 'size=100MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B' \
			'type=0FC63DAF-8483-4772-8E79-3D69D8477DE4'
	else
		echo 'type=83, bootable'
	fi | sfdisk -q "$tmp" >"$log" 2>&1 || die "$EXIT_FAIL" "sfdisk failed (see $log)"
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
	if [ "$SYSTEM_FIRMWARE" = uefi ]; then
		system_esp >>"$log" 2>&1 || die "$EXIT_FAIL" "cannot write the EFI system partition (see $log)"
	else
		in_chroot grub-install --target=i386-pc "$SYSTEM_LOOP" >>"$log" 2>&1 || die "$EXIT_FAIL" "grub-install failed (see $log)"
	fi
	in_chroot update-grub >>"$log" 2>&1 || die "$EXIT_FAIL" "update-grub failed (see $log)"
	system_unmount
	mv -f "$tmp" "$disk"
}

# system_esp: the EFI system partition, written without mounting it
# (this host's kernel may lack vfat, which grub-install needs mounted):
# GRUB's EFI image made in the image by grub-mkimage as grub-install
# makes it, looking for the root file system by label, the modules in
# /boot/grub/x86_64-efi; then a FAT file system with mtools holding it as
# EFI/BOOT/BOOTX64.EFI, which firmware boots without NVRAM entries.
# shellcheck disable=SC2016 # GRUB expands $root and $prefix
system_esp() {
	printf '%s\n' "search --no-floppy --label $SYSTEM_LABEL --set=root" \
		'set prefix=($root)/boot/grub' 'configfile $prefix/grub.cfg' >"$SYSTEM_MNT/tmp/grub-early.cfg"
	mkdir -p "$SYSTEM_MNT/boot/grub"
	cp -r "$SYSTEM_MNT/usr/lib/grub/x86_64-efi" "$SYSTEM_MNT/boot/grub/"
	in_chroot grub-mkimage -O x86_64-efi -o /tmp/BOOTX64.EFI -p /boot/grub -c /tmp/grub-early.cfg \
		part_gpt part_msdos ext2 search search_label normal configfile echo test \
		serial terminal efi_gop efi_uga multiboot2 gzio linux || return 1
	mkfs.vfat -n DOM0KIT-ESP "$SYSTEM_ESP" &&
		mmd -i "$SYSTEM_ESP" ::/EFI ::/EFI/BOOT &&
		mcopy -i "$SYSTEM_ESP" "$SYSTEM_MNT/tmp/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI &&
		rm -f "$SYSTEM_MNT/tmp/BOOTX64.EFI" "$SYSTEM_MNT/tmp/grub-early.cfg"
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
