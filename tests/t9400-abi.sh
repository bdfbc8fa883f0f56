#!/bin/bash
# A rebuild of another module ABI beside the installed kernel (issue 15,
# item 3; make check-release, DOM0KIT_CHECK_RELEASE=1). Revision 1 of the
# qemu-profile kernel is installed in a Debian 12 chroot, with a DKMS
# module; revision 2, with a changed config, is refused under the old
# name (by the package stage, and by its preinst over the running
# kernel), then built with --abi 2: it installs beside revision 1, the
# metapackage moves to it, DKMS builds its module for it, GRUB offers
# both, and revision 1 is removed cleanly. Revision 2 is compiled in the
# qemu tree of make check (kbuild recompiles only what the changed
# symbol and the new name touch), which is then put back.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/check-env.sh"

if [ -z "${DOM0KIT_CHECK_RELEASE:-}" ]; then
	test_plan 1
	test_skip "revision 2 of another ABI installed beside revision 1, GRUB, DKMS, removal (make check-release)"
	test_done
fi
test_plan 7
. "$TEST_DIRECTORY/chroot-lib.sh"

K1=6.12.107-qemu-dom0 V1=6.12.107-1dom0~deb12
K2=6.12.107-2-qemu-dom0 V2=6.12.107-2dom0~deb12
R=$TRASH/root O=$TRASH/debs
export K1 V1 K2 V2 R O
export -f in_chroot chroot_base chroot_new
# t4000's build, so that its stamps hold; then the packages of one
# revision into O.
t4000_build() { "$DOM0KIT" --workdir "$CHECK_WORK" --outdir "$CHECK_OUT" --profile qemu --suite bookworm --no-source-package build; }
pkg() { "$DOM0KIT" --workdir "$CHECK_WORK" --outdir "$O" --profile qemu --suite bookworm --no-source-package --no-dbg \
	--maintainer "dom0kit CI <ci@dom0kit.org>" "$@"; }
# grub_entries: the kernels of grub.cfg's Xen entries, one per line (the
# chroot has no disk: grub-probe is answered by a stand-in, as in t9100),
# from the section 20_linux_xen wrote.
grub_entries() {
	in_chroot "$R" env PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin grub-mkconfig -o /boot/grub/grub.cfg >mkconfig.out 2>&1 ||
		{ cat mkconfig.out; return 1; }
	sed -n '/^### BEGIN .*20_linux_xen/,/^### END .*20_linux_xen/p' "$R/boot/grub/grub.cfg" |
		sed -n 's@^[[:space:]]*module2\{0,1\}[[:space:]].*/boot/vmlinuz-\([^[:space:]]*\).*@\1@p' | sort -u
}
# apt_in_chroot ARGS...: apt-get in the chroot, its log shown on failure.
apt_in_chroot() { in_chroot "$R" apt-get "$@" >>"$R.apt.log" 2>&1 || { tail -n 30 "$R.apt.log"; return 1; }; }
export -f t4000_build pkg grub_entries apt_in_chroot

test_expect_success 'revision 1: the qemu-profile kernel, packaged' '
	t4000_build >/dev/null && pkg package >/dev/null &&
	test -s "$O/linux-image-${K1}_${V1}_amd64.deb" && test -s "$O/linux-image-qemu-dom0_${V1}_amd64.deb"
'

test_expect_success 'revision 1 in a Debian 12 chroot: a DKMS module is built for it, GRUB offers it' '
	chroot_base && chroot_new "$R" && apt_in_chroot install -y -q --no-install-recommends initramfs-tools &&
	cp -r "$TEST_DIRECTORY/fixtures/dkms-hello" "$R/usr/src/dom0kit-hello-1.0" &&
	in_chroot "$R" dkms add dom0kit-hello/1.0 >dkms.out 2>&1 || { cat dkms.out; exit 1; }
	mkdir -p "$R/tmp/debs" && cp "$O"/*.deb "$R/tmp/debs/" &&
	apt_in_chroot install -y -q --no-install-recommends /tmp/debs/dom0-initramfs_${V1}_all.deb \
		/tmp/debs/linux-image-${K1}_${V1}_amd64.deb /tmp/debs/linux-headers-${K1}_${V1}_amd64.deb \
		/tmp/debs/linux-image-qemu-dom0_${V1}_amd64.deb /tmp/debs/linux-headers-qemu-dom0_${V1}_amd64.deb &&
	ls "$R"/lib/modules/$K1/updates/dkms/dom0kit_hello.ko* &&
	printf "#!/bin/sh\ncase \"\$*\" in *--target=fs_uuid*) echo 0d0d0d0d-0000-4000-8000-000000000000;; *--target=fs*) echo ext2;; *--target=device*) echo /dev/vda1;; *--target=partmap*) echo msdos;; *--target=abstraction*) ;; *--target=drive*) echo \"(hd0,msdos1)\";; *--target=hints_string*) ;; *--target=compatibility_hint*) echo hd0,msdos1;; *) ;; esac\n" >"$R/usr/local/sbin/grub-probe" &&
	chmod 755 "$R/usr/local/sbin/grub-probe" && mkdir -p "$R/boot/grub" &&
	grub_entries >entries && test_cmp - entries <<-EOF
	$K1
	EOF
'

test_expect_success 'revision 2, another config, under the name of revision 1: refused, nothing written' '
	cp -r "$TOP/configs" cfg2 && echo CONFIG_DUMMY_IRQ=m >>cfg2/qemu.config &&
	ls "$O" >before &&
	rc=0 && DOM0KIT_CONFIGS=$PWD/cfg2 pkg --revision 2 build >out 2>err || rc=$? &&
	test $rc = 2 && one_line err &&
	grep -F "holds linux-headers-${K1}_${V1}_amd64.deb of another module ABI (config differs): a kernel of another ABI needs its own name: build with --abi 2," err &&
	ls "$O" | test_cmp before -
'

# The same build packaged where nothing stops it (an empty out dir), then
# installed over revision 1 while that kernel runs: its preinst refuses.
# uname -r is answered by a stand-in (the chroot runs the host's kernel).
test_expect_success 'revision 2 under the same name over the running revision 1: the preinst refuses, revision 1 stays' '
	DOM0KIT_CONFIGS=$PWD/cfg2 "$DOM0KIT" --workdir "$CHECK_WORK" --outdir "$TRASH/same" --profile qemu --suite bookworm \
		--no-source-package --no-dbg --revision 2 package >out 2>err || { cat out err; exit 1; }
	cp "$TRASH/same/linux-image-${K1}_${V2}_amd64.deb" "$R/tmp/" &&
	printf "#!/bin/sh\n[ \"\$1\" = -r ] && { echo %s; exit 0; }\nexec /bin/uname \"\$@\"\n" "$K1" >"$R/usr/local/bin/uname" &&
	chmod 755 "$R/usr/local/bin/uname" &&
	rc=0 && in_chroot "$R" env PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin dpkg -i /tmp/linux-image-${K1}_${V2}_amd64.deb >out 2>&1 || rc=$? &&
	rm -f "$R/usr/local/bin/uname" "$R/tmp/linux-image-${K1}_${V2}_amd64.deb" && test $rc != 0 &&
	grep -F "linux-image-$K1: this build has another module ABI than the running kernel of that name (config or Module.symvers differ)" out &&
	in_chroot "$R" dpkg-query -W -f="\${Version} \${Status}\n" linux-image-$K1 >st && test "$(cat st)" = "$V1 install ok installed" &&
	! grep -q "^CONFIG_DUMMY_IRQ=" "$R/boot/config-$K1"
'

test_expect_success 'revision 2 with --abi 2: installed beside revision 1, the metapackage moves to it, DKMS builds for it, GRUB offers both' '
	DOM0KIT_CONFIGS=$PWD/cfg2 pkg --revision 2 --abi 2 build >out 2>err || { cat out err; exit 1; }
	test -s "$O/linux-image-${K2}_${V2}_amd64.deb" && test -s "$O/linux-image-${K1}_${V1}_amd64.deb" &&
	dpkg-deb -f "$O/linux-image-qemu-dom0_${V2}_amd64.deb" Depends | grep -q "^linux-image-$K2 (= $V2)" &&
	cp "$O"/*.deb "$R/tmp/debs/" &&
	apt_in_chroot install -y -q --no-install-recommends /tmp/debs/linux-image-${K2}_${V2}_amd64.deb \
		/tmp/debs/linux-headers-${K2}_${V2}_amd64.deb /tmp/debs/linux-image-qemu-dom0_${V2}_amd64.deb \
		/tmp/debs/linux-headers-qemu-dom0_${V2}_amd64.deb &&
	in_chroot "$R" dpkg-query -W -f="\${Package} \${Version} \${Status}\n" "linux-image-*" >pkgs &&
	grep -qx "linux-image-$K1 $V1 install ok installed" pkgs && grep -qx "linux-image-$K2 $V2 install ok installed" pkgs &&
	grep -qx "linux-image-qemu-dom0 $V2 install ok installed" pkgs &&
	grep -qx CONFIG_DUMMY_IRQ=m "$R/boot/config-$K2" && ! grep -q "^CONFIG_DUMMY_IRQ=" "$R/boot/config-$K1" &&
	test -s "$R/boot/initrd.img-$K2" && test -s "$R/boot/initrd.img-$K1" &&
	for k in $K1 $K2; do
		in_chroot "$R" modinfo -k $k dom0kit_hello | grep -q "^vermagic: *$k " || { echo "no DKMS module for $k"; exit 1; }
	done &&
	grub_entries >entries && printf "%s\n" $K1 $K2 | sort | test_cmp - entries
'

test_expect_success 'revision 1 removed: its kernel, modules, DKMS module and GRUB entry go; revision 2 stays' '
	apt_in_chroot purge -y -q linux-image-$K1 linux-headers-$K1 &&
	test ! -e "$R/boot/vmlinuz-$K1" && test ! -e "$R/boot/initrd.img-$K1" && test ! -e "$R/lib/modules/$K1" &&
	in_chroot "$R" dkms status >status && ! grep -q "$K1" status && grep -q "dom0kit-hello/1.0, $K2, x86_64: installed" status &&
	test -s "$R/boot/vmlinuz-$K2" && ls "$R"/lib/modules/$K2/updates/dkms/dom0kit_hello.ko* &&
	grub_entries >entries && test_cmp - entries <<-EOF
	$K2
	EOF
'

test_expect_success 'the qemu tree back to revision 1, for the checks after this one' '
	t4000_build >out && grep -q "^==> compile done" out &&
	test "$(cat "$CHECK_WORK/state/6.12.107/kernelrelease@qemu")" = "$K1" &&
	! grep -q "^CONFIG_DUMMY_IRQ=" "$CHECK_WORK/build/linux-6.12.107-qemu/.config"
'
test_done
