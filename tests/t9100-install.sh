#!/bin/bash
# Install test, as piuparts would run it: our packages with Debian's Xen in
# Debian 12 chroots made by debootstrap, one with dracut and one with
# initramfs-tools; /boot, the initramfs contents, a GRUB Xen entry, a DKMS
# module, the xen-passthrough tool, then remove and purge leave nothing of
# ours behind. The initramfs dracut made then boots as dom0 under QEMU
# (boot-test dracut).
. "$(dirname "$0")/test-lib.sh"
test_plan 13
. "$TEST_DIRECTORY/check-env.sh"
. "$TEST_DIRECTORY/chroot-lib.sh"

K=6.12.107-dom0
V=6.12.107-1dom0~deb12
BDF=0000:00:06.0
D=$TRASH/debs
export K V BDF D
export -f in_chroot chroot_base chroot_new chroot_files

# ours: our packages, as apt arguments inside the chroot.
ours() { echo /tmp/debs/linux-image-${K}_${V}_amd64.deb /tmp/debs/linux-headers-${K}_${V}_amd64.deb \
	/tmp/debs/linux-image-dom0_${V}_amd64.deb /tmp/debs/linux-headers-dom0_${V}_amd64.deb \
	/tmp/debs/xen-passthrough_${V}_amd64.deb; }
# setup ROOT TOOL: a chroot with TOOL (dracut or initramfs-tools), the file
# list before any package of ours, dom0-initramfs with a seize list, then
# the kernel packages.
setup() {
	local root=$1 tool=$2
	chroot_new "$root" || return 1
	if ! in_chroot "$root" apt-get install -y -q --no-install-recommends "$tool" >"$root.apt.log" 2>&1; then
		tail -n 30 "$root.apt.log"
		return 1
	fi
	chroot_files "$root" >"$root.before"
	mkdir -p "$root/tmp/debs" && cp "$D"/*.deb "$root/tmp/debs/" || return 1
	if ! in_chroot "$root" apt-get install -y -q --no-install-recommends /tmp/debs/dom0-initramfs_${V}_all.deb >>"$root.apt.log" 2>&1; then
		tail -n 30 "$root.apt.log"
		return 1
	fi
	printf '# the install test\n%s\n' "$BDF" >>"$root/etc/dom0kit/pciback.conf"
	if [ "$tool" = dracut ]; then
		# e1000 for the boot test's unlisted NIC; the probe reports drivers.
		echo 'add_drivers+=" e1000 "' >"$root/etc/dracut.conf.d/90-dom0kit-test.conf" &&
			cp -r "$TEST_DIRECTORY/fixtures/dracut-probe/99dom0kit-probe" "$root/usr/lib/dracut/modules.d/" || return 1
	fi
	# shellcheck disable=SC2046
	in_chroot "$root" apt-get install -y -q --no-install-recommends $(ours) >>"$root.apt.log" 2>&1 ||
		{ tail -n 30 "$root.apt.log"; return 1; }
}
# purge_and_compare ROOT: our packages purged, the file list is as before.
purge_and_compare() {
	local root=$1
	# dpkg, not apt: removed metapackages are unknown to apt. Then what apt
	# pulled in for them goes too, as piuparts expects.
	if ! in_chroot "$root" dpkg --purge linux-image-dom0 linux-headers-dom0 linux-image-$K linux-headers-$K dom0-initramfs xen-passthrough \
		>>"$root.apt.log" 2>&1 || ! in_chroot "$root" apt-get autoremove --purge -y -q >>"$root.apt.log" 2>&1; then
		tail -n 30 "$root.apt.log"
		return 1
	fi
	rm -rf "$root/tmp/debs"
	chroot_files "$root" >"$root.after"
	diff -u "$root.before" "$root.after"
}
export -f ours setup purge_and_compare

test_expect_success 'our packages for the qemu-profile kernel (t4000 built it)' '
	"$DOM0KIT" --workdir "$CHECK_WORK" --outdir "$CHECK_OUT" --profile qemu --no-source-package build >/dev/null &&
	"$DOM0KIT" --workdir "$CHECK_WORK" --outdir "$D" --profile qemu --suite bookworm --no-source-package --no-dbg package >/dev/null &&
	test -s "$D/dom0-initramfs_${V}_all.deb"
'

test_expect_success 'a Debian 12 chroot made by debootstrap (cached)' '
	chroot_base && test -s "$CHROOT_BASE"
'

test_expect_success 'dracut: Xen and our packages install; /boot is complete' '
	setup "$TRASH/dracut" dracut &&
	for f in vmlinuz config System.map initrd.img; do test -s "$TRASH/dracut/boot/$f-$K" || { echo "no /boot/$f-$K"; exit 1; }; done &&
	grep -qx CONFIG_XEN_DOM0=y "$TRASH/dracut/boot/config-$K" &&
	ls "$TRASH"/dracut/boot/xen-*.gz &&
	test -s "$TRASH/dracut/lib/modules/$K/modules.dep"
'

test_expect_success 'xen-passthrough: installed with its libraries (libpci3), --help and --version work' '
	r=$TRASH/dracut &&
	in_chroot "$r" dpkg-query -W -f="\${Status}\n" libpci3 | grep -qx "install ok installed" &&
	in_chroot "$r" xen-passthrough --help >help.out 2>&1 || { cat help.out; exit 1; }
	grep -q "^usage: xen-passthrough" help.out &&
	in_chroot "$r" xen-passthrough --version | grep -q "^xen-passthrough "
'

test_expect_success 'dracut: the initramfs holds xen-pciback, the backends and the seize list' '
	in_chroot "$TRASH/dracut" lsinitrd /boot/initrd.img-$K >list &&
	grep -q "xen-pciback.ko" list && grep -q "xen-blkback.ko\|xen-netback.ko" list &&
	grep -q "xen-dom0-pciback.sh" list &&
	in_chroot "$TRASH/dracut" lsinitrd -f etc/modprobe.d/dom0kit-pciback.conf /boot/initrd.img-$K >opts &&
	grep -qx "options xen_pciback hide=($BDF)" opts
'

test_expect_success 'dracut: the initramfs boots as dom0 and xen-pciback seizes the listed device (boot-test dracut)' '
	cp "$TRASH/dracut/boot/initrd.img-$K" "$TRASH/dracut-initrd.img" &&
	"$DOM0KIT" --workdir "$CHECK_WORK" --profile qemu boot-test --scenario=dracut --initrd="$TRASH/dracut-initrd.img" >out 2>&1 ||
		{ cat out; tail -n 40 "$CHECK_WORK/logs/boot/dom0-dracut.log"; exit 1; }
	grep -qE "boot-test dracut +PASS" out
'

test_expect_success 'grub-mkconfig pairs the hypervisor with our kernel in a Xen entry' '
	r=$TRASH/dracut &&
	# The chroot has no block device for grub-probe to find; a stand-in
	# answers for / and /boot (the only thing not real in this test).
	printf "#!/bin/sh\ncase \"\$*\" in *--target=fs_uuid*) echo 0d0d0d0d-0000-4000-8000-000000000000;; *--target=fs*) echo ext2;; *--target=device*) echo /dev/vda1;; *--target=partmap*) echo msdos;; *--target=abstraction*) ;; *--target=drive*) echo \"(hd0,msdos1)\";; *--target=hints_string*) ;; *--target=compatibility_hint*) echo hd0,msdos1;; *) ;; esac\n" >"$r/usr/local/sbin/grub-probe" &&
	chmod 755 "$r/usr/local/sbin/grub-probe" && mkdir -p "$r/boot/grub" &&
	in_chroot "$r" env PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin grub-mkconfig -o /boot/grub/grub.cfg >mkconfig.out 2>&1 ||
		{ cat mkconfig.out; exit 1; }
	awk "/^menuentry .*Xen hypervisor/{e=1} e&&/multiboot2?[ \t].*\/boot\/xen-/{x=1} e&&x&&/module2?[ \t].*\/boot\/vmlinuz-$K[ \t]/{k=1} e&&k&&/module2?[ \t].*\/boot\/initrd.img-$K/{print \"ok\"; exit}" "$r/boot/grub/grub.cfg" | grep -qx ok ||
		{ grep -n "menuentry\|multiboot\|module" "$r/boot/grub/grub.cfg"; exit 1; }
'

test_expect_success 'dkms builds and installs a module against linux-headers' '
	r=$TRASH/dracut &&
	cp -r "$TEST_DIRECTORY/fixtures/dkms-hello" "$r/usr/src/dom0kit-hello-1.0" &&
	in_chroot "$r" sh -c "dkms add dom0kit-hello/1.0 && dkms install dom0kit-hello/1.0 -k $K" >dkms.out 2>&1 || { cat dkms.out; cat "$r"/var/lib/dkms/dom0kit-hello/1.0/build/make.log 2>/dev/null | tail -n 30; exit 1; }
	ls "$r"/lib/modules/$K/updates/dkms/dom0kit_hello.ko* &&
	in_chroot "$r" modinfo -k $K dom0kit_hello | grep -q "^vermagic: *$K "
'

test_expect_success 'dracut: remove and purge leave nothing of ours behind' '
	r=$TRASH/dracut &&
	in_chroot "$r" dkms remove dom0kit-hello/1.0 --all >dkms.out 2>&1 && rm -rf "$r/usr/src/dom0kit-hello-1.0" &&
	rm -rf "$r/usr/lib/dracut/modules.d/99dom0kit-probe" "$r/etc/dracut.conf.d/90-dom0kit-test.conf" "$r/usr/local/sbin/grub-probe" "$r/boot/grub" &&
	in_chroot "$r" apt-get remove -y -q linux-image-$K >>"$r.apt.log" 2>&1 &&
	test ! -e "$r/boot/vmlinuz-$K" && test ! -e "$r/boot/initrd.img-$K" &&
	purge_and_compare "$r"
'

test_expect_success 'initramfs-tools: our packages install; the initramfs has xen-pciback and the seize list' '
	r=$TRASH/itools &&
	setup "$r" initramfs-tools &&
	for f in vmlinuz config System.map initrd.img; do test -s "$r/boot/$f-$K" || { echo "no /boot/$f-$K"; exit 1; }; done &&
	in_chroot "$r" lsinitramfs /boot/initrd.img-$K >list &&
	grep -q "xen-pciback.ko" list && grep -q "scripts/init-top/dom0kit-pciback" list &&
	in_chroot "$r" unmkinitramfs /boot/initrd.img-$K /tmp/x >/dev/null &&
	grep -qx "options xen_pciback hide=($BDF)" "$r"/tmp/x/main/etc/modprobe.d/dom0kit-pciback.conf 2>/dev/null ||
		grep -qx "options xen_pciback hide=($BDF)" "$r"/tmp/x/etc/modprobe.d/dom0kit-pciback.conf
'

test_expect_success 'initramfs-tools: xen-pciback loads before udev starts' '
	r=$TRASH/itools && order=$(ls -d "$r"/tmp/x/main/scripts/init-top 2>/dev/null || echo "$r/tmp/x/scripts/init-top") &&
	cat "$order/ORDER" &&
	awk "/dom0kit-pciback/{p=NR} /init-top\/udev/{u=NR} END{exit !(p && u && p < u)}" "$order/ORDER"
'

test_expect_success 'initramfs-tools: remove and purge leave nothing of ours behind' '
	r=$TRASH/itools && rm -rf "$r/tmp/x" &&
	purge_and_compare "$r"
'

test_expect_success 'a malformed seize list makes the initramfs build fail, naming the line' '
	r=$TRASH/itools &&
	cp "$D"/*.deb "$r/tmp/" &&
	in_chroot "$r" apt-get install -y -q --no-install-recommends /tmp/dom0-initramfs_${V}_all.deb >/dev/null 2>&1 &&
	echo "03:00.0" >>"$r/etc/dom0kit/pciback.conf" &&
	test_must_fail in_chroot "$r" apt-get install -y -q --no-install-recommends /tmp/linux-image-${K}_${V}_amd64.deb >install.out 2>&1 &&
	grep -q "pciback.conf:[0-9]*: not a PCI address (dddd:bb:dd.f): 03:00.0" install.out
'
test_done
