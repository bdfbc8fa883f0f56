#!/bin/bash
# Install test, as piuparts would run it: our packages with Debian's Xen in
# Debian 12 chroots made by debootstrap, one with dracut and one with
# initramfs-tools; /boot, the initramfs contents, a GRUB Xen entry, a DKMS
# module, the xen-passthrough tool, then remove and purge leave nothing of
# ours behind. The initramfs dracut made then boots as dom0 under QEMU
# (boot-test dracut). A seize list that cannot be used stops both
# generators; the list, a conffile before, survives the upgrade in place;
# the kernel hooks run in Debian's order on Debian 12 and 13 (trixie
# chroot).
. "$(dirname "$0")/test-lib.sh"
test_plan 20
. "$TEST_DIRECTORY/check-env.sh"
. "$TEST_DIRECTORY/chroot-lib.sh"

K=6.12.107-qemu-dom0
V=6.12.107-1dom0~deb12
BDF=0000:00:06.0
D=$TRASH/debs
export K V BDF D
export -f in_chroot chroot_base chroot_new chroot_files

# ours: our packages, as apt arguments inside the chroot.
ours() { echo /tmp/debs/linux-image-${K}_${V}_amd64.deb /tmp/debs/linux-headers-${K}_${V}_amd64.deb \
	/tmp/debs/linux-image-qemu-dom0_${V}_amd64.deb /tmp/debs/linux-headers-qemu-dom0_${V}_amd64.deb \
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
	if ! in_chroot "$root" dpkg --purge linux-image-qemu-dom0 linux-headers-qemu-dom0 linux-image-$K linux-headers-$K dom0-initramfs xen-passthrough \
		>>"$root.apt.log" 2>&1 || ! in_chroot "$root" apt-get autoremove --purge -y -q >>"$root.apt.log" 2>&1; then
		tail -n 30 "$root.apt.log"
		return 1
	fi
	rm -rf "$root/tmp/debs"
	chroot_files "$root" >"$root.after"
	diff -u "$root.before" "$root.after"
}
# initrd_options ROOT: the modprobe.d line in our kernel's initramfs
# (initramfs-tools; under main/ when there is an early cpio).
initrd_options() {
	rm -rf "$1/tmp/x" && in_chroot "$1" unmkinitramfs /boot/initrd.img-$K /tmp/x >/dev/null &&
		{ cat "$1"/tmp/x/main/etc/modprobe.d/dom0kit-pciback.conf 2>/dev/null || cat "$1"/tmp/x/etc/modprobe.d/dom0kit-pciback.conf; }
	rm -rf "$1/tmp/x"
}
export -f ours setup purge_and_compare initrd_options

# Its chroots need root, /proc and apt: make check-system runs it with the
# system test (about 12 minutes), as the project's CI runs both in its
# privileged job; make check cannot afford it within its hour.
if [ -z "${DOM0KIT_CHECK_SYSTEM:-}" ]; then
	test_skip_all "make check-system runs it"
fi

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
	# Debian'"'"'s xen.cfg with GRUB_CMDLINE_XEN_DEFAULT set, and our snippet
	# appending to it: both reach the hypervisor'"'"'s line.
	in_chroot "$r" apt-get install -y -q --no-install-recommends xen-hypervisor-common >>"$r.apt.log" 2>&1 &&
	sed -i "s/^#GRUB_CMDLINE_XEN_DEFAULT=.*/GRUB_CMDLINE_XEN_DEFAULT=\"dom0kit_user=1\"/" "$r/etc/default/grub.d/xen.cfg" &&
	sed -i "s/^#\(GRUB_CMDLINE_XEN_DEFAULT=.*dom0_mem=.*\)/\1/" "$r/etc/default/grub.d/zz-xen-dom0.cfg" &&
	in_chroot "$r" env PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin grub-mkconfig -o /boot/grub/grub.cfg >mkconfig.out 2>&1 ||
		{ cat mkconfig.out; exit 1; }
	awk "/^menuentry .*Xen hypervisor/{e=1} e&&/multiboot2?[ \t].*\/boot\/xen-/{x=1} e&&x&&/module2?[ \t].*\/boot\/vmlinuz-$K[ \t]/{k=1} e&&k&&/module2?[ \t].*\/boot\/initrd.img-$K/{print \"ok\"; exit}" "$r/boot/grub/grub.cfg" | grep -qx ok ||
		{ grep -n "menuentry\|multiboot\|module" "$r/boot/grub/grub.cfg"; exit 1; }
	grep -E "^[[:space:]]*multiboot2?[[:space:]].*/boot/xen-" "$r/boot/grub/grub.cfg" >xenline &&
	grep -q "dom0kit_user=1" xenline && grep -q "dom0_mem=4096M,max:4096M" xenline ||
		{ cat xenline; exit 1; }
'

test_expect_success 'dkms builds and installs a module against linux-headers' '
	r=$TRASH/dracut &&
	cp -r "$TEST_DIRECTORY/fixtures/dkms-hello" "$r/usr/src/dom0kit-hello-1.0" &&
	in_chroot "$r" sh -c "dkms add dom0kit-hello/1.0 && dkms install dom0kit-hello/1.0 -k $K" >dkms.out 2>&1 || { cat dkms.out; cat "$r"/var/lib/dkms/dom0kit-hello/1.0/build/make.log 2>/dev/null | tail -n 30; exit 1; }
	ls "$r"/lib/modules/$K/updates/dkms/dom0kit_hello.ko* &&
	in_chroot "$r" modinfo -k $K dom0kit_hello | grep -q "^vermagic: *$K "
'

# dracut ignores what a module's install() returns: only its fatal path
# (dfatal, exit) stops the image from being written without the list.
test_expect_success 'dracut: a malformed seize list stops dracut naming the line; the initramfs in place is kept' '
	r=$TRASH/dracut && cp "$r/boot/initrd.img-$K" before.img && cp "$r/etc/dom0kit/pciback.conf" list.saved &&
	echo "03:00.0" >>"$r/etc/dom0kit/pciback.conf" && n=$(wc -l <"$r/etc/dom0kit/pciback.conf") &&
	test_must_fail in_chroot "$r" dracut --force /boot/initrd.img-$K $K >out 2>&1 &&
	grep -q "xen-dom0: /etc/dom0kit/pciback.conf:$n: not a PCI address (dddd:bb:dd.f): 03:00.0: no initramfs is built without the seize list" out &&
	cmp before.img "$r/boot/initrd.img-$K" &&
	test_expect_code 1 in_chroot "$r" dom0kit-pciback check >out 2>err && one_line err &&
	grep -q "pciback.conf:$n: not a PCI address" err &&
	cp list.saved "$r/etc/dom0kit/pciback.conf" && in_chroot "$r" dom0kit-pciback check | grep -q "1 device(s) seized at boot: ($BDF)"
'

test_expect_success 'dracut: the command the list names rebuilds the initramfs with the changed list' '
	r=$TRASH/dracut && cmd=$(sed -n "s/^#   \(dracut .*[^ ]\) *(dracut)$/\1/p" "$r/etc/dom0kit/pciback.conf") &&
	test "$cmd" = "dracut --regenerate-all --force" &&
	echo 0000:00:07.0 >>"$r/etc/dom0kit/pciback.conf" &&
	in_chroot "$r" $cmd >out 2>&1 || { cat out; exit 1; }
	in_chroot "$r" lsinitrd -f etc/modprobe.d/dom0kit-pciback.conf /boot/initrd.img-$K >opts &&
	grep -qx "options xen_pciback hide=($BDF)(0000:00:07.0)" opts
'

test_expect_success 'dracut: remove and purge leave nothing of ours behind' '
	r=$TRASH/dracut &&
	in_chroot "$r" apt-get purge -y -q xen-hypervisor-common >>"$r.apt.log" 2>&1 &&
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

test_expect_success 'initramfs-tools: the command the list names rebuilds the initramfs with the changed list' '
	r=$TRASH/itools && rm -rf "$r/tmp/x" &&
	cmd=$(sed -n "s/^#   \(update-initramfs .*[^ ]\) *(initramfs-tools)$/\1/p" "$r/etc/dom0kit/pciback.conf") &&
	test "$cmd" = "update-initramfs -u -k all" &&
	echo 0000:00:07.0 >>"$r/etc/dom0kit/pciback.conf" &&
	in_chroot "$r" $cmd >out 2>&1 || { cat out; exit 1; }
	initrd_options "$r" >opts && grep -qx "options xen_pciback hide=($BDF)(0000:00:07.0)" opts &&
	sed -i /0000:00:07.0/d "$r/etc/dom0kit/pciback.conf"
'

# hook ROOT PATH: a kernel hook at PATH that logs its name, its arguments
# and DEB_MAINT_PARAMS to /tmp/hooks.log.
hook() {
	mkdir -p "$1/${2%/*}" &&
		printf '#!/bin/sh\necho "%s $1 $2 [$DEB_MAINT_PARAMS]"  >>/tmp/hooks.log\n' "$2" >"$1/$2" && chmod 755 "$1/$2"
}
# reinstall_image ROOT: our image package installed again; prints the
# postinst hooks that ran, in order, those given the right arguments.
reinstall_image() {
	rm -f "$1/tmp/hooks.log"
	in_chroot "$1" dpkg -i /tmp/debs/linux-image-${K}_${V}_amd64.deb </dev/null >>"$1.apt.log" 2>&1 || { tail -n 30 "$1.apt.log" >&2; return 1; }
	sed -n "s| $K /boot/vmlinuz-$K \[configure[ 0-9a-z.~+-]*\]$||p" "$1/tmp/hooks.log"
}
export -f hook reinstall_image

# The upgrade tests use MODULES=list (an admin's setting): every package
# operation rebuilds the initramfs, and a small one is quick.
test_expect_success 'Debian 12: /etc/kernel hooks only, in name order, through linux-run-hooks and without it (run-parts 5.7 takes one directory)' '
	r=$TRASH/itools &&
	sed -i "s/^MODULES=.*/MODULES=list/" "$r/etc/initramfs-tools/initramfs.conf" &&
	test -x "$r/usr/bin/linux-run-hooks" &&
	for h in etc/kernel/postinst.d/30-c etc/kernel/postinst.d/10-a usr/share/kernel/postinst.d/20-b usr/share/kernel/postinst.d/30-c; do
		hook "$r" $h || exit 1
	done &&
	printf "%s\n" etc/kernel/postinst.d/10-a etc/kernel/postinst.d/30-c >want &&
	rc=0 && reinstall_image "$r" >got && test_cmp want got &&
	mv "$r/usr/bin/linux-run-hooks" "$r/root/linux-run-hooks" &&
	reinstall_image "$r" >got && test_cmp want got || rc=1
	test ! -e "$r/root/linux-run-hooks" || mv "$r/root/linux-run-hooks" "$r/usr/bin/linux-run-hooks"
	rm -rf "$r/usr/share/kernel" "$r/etc/kernel/postinst.d/10-a" "$r/etc/kernel/postinst.d/30-c" &&
	test $rc = 0
'

# The packaging whose dom0-initramfs shipped the seize list as a conffile.
OLD=f4fc281
# old_dom0_initramfs OUT: that dom0-initramfs rebuilt with dpkg-deb: its
# files from git at OLD, placed by its .install file, with the conffiles
# and the trigger debhelper gave it and a version below ours.
old_dom0_initramfs() {
	local o=$TRASH/old-pkg s=$TRASH/old-src src dst
	rm -rf "$o" "$s" && mkdir -p "$o/DEBIAN" "$s" &&
		git -C "$TOP" archive "$OLD" packaging/initramfs packaging/debian/dom0-initramfs.install | tar -x -C "$s" || return 1
	while read -r src dst; do
		mkdir -p "$o/$dst" && cp -r "$s/packaging/${src#debian/}" "$o/$dst" || return 1
	done <"$s/packaging/debian/dom0-initramfs.install"
	printf '%s\n' /etc/default/grub.d/xen-dom0.cfg /etc/dom0kit/pciback.conf >"$o/DEBIAN/conffiles"
	echo 'activate-noawait update-initramfs' >"$o/DEBIAN/triggers"
	printf '%s\n' 'Package: dom0-initramfs' 'Version: 6.12.107-0dom0~deb12' 'Architecture: all' \
		'Maintainer: dom0kit CI <ci@dom0kit.org>' 'Depends: dracut | initramfs-tools' 'Section: kernel' \
		'Priority: optional' "Description: Xen dom0 boot integration (packaging of $OLD)" >"$o/DEBIAN/control"
	dpkg-deb --root-owner-group -b "$o" "$1" >/dev/null
}
export -f old_dom0_initramfs

test_expect_success 'upgrade from the conffile list, edited: no prompt, the list stays in place (also in an initramfs built mid-upgrade), no conffile any more' '
	r=$TRASH/itools && old_dom0_initramfs "$r/tmp/old.deb" &&
	in_chroot "$r" dpkg --purge dom0-initramfs >>"$r.apt.log" 2>&1 && test ! -e "$r/etc/dom0kit/pciback.conf" &&
	in_chroot "$r" dpkg -i /tmp/old.deb </dev/null >>"$r.apt.log" 2>&1 &&
	in_chroot "$r" dpkg-query -W -f="\${Conffiles}" dom0-initramfs | grep -q "^ /etc/dom0kit/pciback.conf " &&
	echo "$BDF" >>"$r/etc/dom0kit/pciback.conf" && cp "$r/etc/dom0kit/pciback.conf" edited &&
	sed -i "s/^#\\(GRUB_CMDLINE_XEN_DEFAULT=.*iommu=verbose.*\\)/\\1/" "$r/etc/default/grub.d/xen-dom0.cfg" &&
	cp "$r/etc/default/grub.d/xen-dom0.cfg" grub.edited && grep -q "^GRUB_CMDLINE_XEN_DEFAULT=.*iommu=verbose" grub.edited &&
	in_chroot "$r" dpkg --unpack /tmp/debs/dom0-initramfs_${V}_all.deb </dev/null >out 2>&1 || { cat out; exit 1; }
	in_chroot "$r" update-initramfs -u -k $K >out 2>&1 || { cat out; exit 1; }
	initrd_options "$r" | grep -qx "options xen_pciback hide=($BDF)" &&
	in_chroot "$r" dpkg --configure -a </dev/null >out 2>&1 || { cat out; exit 1; }
	cmp edited "$r/etc/dom0kit/pciback.conf" && test "$(ls -A "$r/etc/dom0kit")" = pciback.conf &&
	! in_chroot "$r" dpkg-query -W -f="\${Conffiles}" dom0-initramfs | grep -q pciback.conf &&
	cmp grub.edited "$r/etc/default/grub.d/zz-xen-dom0.cfg" && test ! -e "$r/etc/default/grub.d/xen-dom0.cfg" &&
	in_chroot "$r" dpkg -i /tmp/debs/dom0-initramfs_${V}_all.deb </dev/null >out 2>&1 || { cat out; exit 1; }
	cmp edited "$r/etc/dom0kit/pciback.conf"
'

test_expect_success 'upgrade from the conffile list, unedited: the template takes its place; a list made before the first install is kept, without a prompt' '
	r=$TRASH/itools &&
	in_chroot "$r" dpkg --purge dom0-initramfs >>"$r.apt.log" 2>&1 && test ! -e "$r/etc/dom0kit" &&
	in_chroot "$r" dpkg -i /tmp/old.deb </dev/null >>"$r.apt.log" 2>&1 &&
	in_chroot "$r" dpkg -i /tmp/debs/dom0-initramfs_${V}_all.deb </dev/null >out 2>&1 || { cat out; exit 1; }
	cmp "$r/usr/share/dom0-initramfs/pciback.conf" "$r/etc/dom0kit/pciback.conf" && test "$(ls -A "$r/etc/dom0kit")" = pciback.conf &&
	in_chroot "$r" dpkg --purge dom0-initramfs >>"$r.apt.log" 2>&1 && test ! -e "$r/etc/dom0kit" &&
	mkdir -p "$r/etc/dom0kit" && echo "$BDF" >"$r/etc/dom0kit/pciback.conf" &&
	in_chroot "$r" dpkg -i /tmp/debs/dom0-initramfs_${V}_all.deb </dev/null >out 2>&1 || { cat out; exit 1; }
	test "$(cat "$r/etc/dom0kit/pciback.conf")" = "$BDF" &&
	sed -i "s/^MODULES=list/MODULES=most/" "$r/etc/initramfs-tools/initramfs.conf"
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
	grep -q "xen-dom0: /etc/dom0kit/pciback.conf:[0-9]*: not a PCI address (dddd:bb:dd.f): 03:00.0: no initramfs is built" install.out
'

# Debian 13: linux-base's linux-run-hooks, and debianutils' run-parts
# (5.21 and later) over both directories when it is missing.
test_expect_success 'Debian 13 (trixie chroot): /etc/kernel and /usr/share/kernel hooks in one name order, /etc overriding and disabling; the same through one run-parts' '
	r=$TRASH/trixie &&
	CHROOT_SUITE=trixie CHROOT_BASE=$CHROOT_CACHE/trixie-dom0kit-hooks.tar CHROOT_PACKAGES="linux-base kmod initramfs-tools zstd" \
		chroot_new "$r" && test -x "$r/usr/bin/linux-run-hooks" &&
	sed -i "s/^MODULES=.*/MODULES=list/" "$r/etc/initramfs-tools/initramfs.conf" &&
	mkdir -p "$r/tmp/debs" && cp "$D/linux-image-${K}_${V}_amd64.deb" "$r/tmp/debs/" &&
	for h in etc/kernel/postinst.d/10-a usr/share/kernel/postinst.d/20-b etc/kernel/postinst.d/30-c \
		usr/share/kernel/postinst.d/30-c usr/share/kernel/postinst.d/40-d; do hook "$r" $h || exit 1; done &&
	: >"$r/etc/kernel/postinst.d/40-d" &&
	printf "%s\n" etc/kernel/postinst.d/10-a usr/share/kernel/postinst.d/20-b etc/kernel/postinst.d/30-c >want &&
	reinstall_image "$r" >got && test_cmp want got &&
	mv "$r/usr/bin/linux-run-hooks" "$r/root/" &&
	reinstall_image "$r" >got && test_cmp want got &&
	rm -rf "$r"
'
test_done
