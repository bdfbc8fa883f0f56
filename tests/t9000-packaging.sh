#!/bin/bash
# package (debian packager): the binary packages of the qemu-profile
# kernel t4000 built, the source package, lintian, headers that build an
# external module, and version ordering.
. "$(dirname "$0")/test-lib.sh"
test_plan 18
. "$TEST_DIRECTORY/check-env.sh"

K=6.12.107-qemu-dom0
V=6.12.107-1dom0~deb12
MAINT='dom0kit CI <ci@dom0kit.org>'
P=$TRASH/debs
export K V MAINT P
pkg() { "$DOM0KIT" --workdir "$CHECK_WORK" --profile qemu --suite bookworm --maintainer "$MAINT" "$@"; }
deb() { echo "$P/${1}_${V}_${2:-amd64}.deb"; }
export -f pkg deb

test_expect_success 'the qemu-profile kernel is built (t4000 builds it)' '
	"$DOM0KIT" --workdir "$CHECK_WORK" --outdir "$CHECK_OUT" --profile qemu --no-source-package build >/dev/null
'

test_expect_success 'package: binary and source packages of linux-dom0, from the compiled tree without relinking it' '
	pkg --outdir "$P" package >out &&
	kbuild_rebuilt "$CHECK_WORK/logs/package.log" >rebuilt && test_cmp /dev/null rebuilt &&
	for p in linux-image-$K linux-headers-$K linux-image-$K-dbg linux-image-qemu-dom0 linux-headers-qemu-dom0 xen-passthrough; do
		dpkg-deb --info "$(deb $p)" >/dev/null || exit 1
	done &&
	dpkg-deb --info "$(deb dom0-initramfs all)" >/dev/null &&
	for f in linux-dom0_$V.dsc linux-dom0_$V.debian.tar.xz linux-dom0_6.12.107.orig.tar.xz; do
		test -s "$P/$f" || exit 1
	done &&
	[ -z "$(find "$P" -name ".incoming.*")" ]
'

test_expect_success 'linux-image: kernel, config with XEN_DOM0, System.map, modules, hooks' '
	dpkg-deb -c "$(deb linux-image-$K)" >list &&
	grep -q " ./boot/vmlinuz-$K$" list && grep -q " ./boot/System.map-$K$" list &&
	grep -q "/lib/modules/$K/kernel/drivers/xen/xen-pciback/xen-pciback\.ko\(\.xz\|\.zst\|\.gz\)\?$" list &&
	dpkg-deb --fsys-tarfile "$(deb linux-image-$K)" | tar -xO ./boot/config-$K | grep -qx CONFIG_XEN_DOM0=y &&
	dpkg-deb -f "$(deb linux-image-$K)" Depends | grep -q "initramfs-tools | linux-initramfs-tool" &&
	dpkg-deb -e "$(deb linux-image-$K)" ctl &&
	for s in preinst postinst prerm postrm; do
		sh -n ctl/$s && grep -q "run-parts --report --exit-on-error --arg=\"\$version\"" ctl/$s || exit 1
		grep -q "linux-run-hooks image \"\$script\" \"\$version\" \"\$image_path\" -- \"\$@\"" ctl/$s || exit 1
		grep -q "^[[:space:]]*run_hooks $s \"\$@\"" ctl/$s || exit 1
	done &&
	grep -q "^export INITRD=" ctl/postinst && grep -q "^depmod \"\$version\"" ctl/postinst
'

# The -dbg package is read where a crash dump is analysed, not where the
# kernel ran: it installs without the image (as Debian's own -dbg does),
# and it alone gives gdb, crash, perf and kdump-tools vmlinux at each
# path they look, and each module's detached debug file, uncompressed,
# under the module's name and under the build ID of the module the image
# ships (compressed or not, like mainline's builddeb).
test_expect_success 'linux-image-dbg: no Depends on the image; dpkg installs it into an empty root' '
	d=$(deb linux-image-$K-dbg) &&
	! dpkg-deb -f "$d" Depends Pre-Depends | grep linux-image &&
	mkdir -p root/var/lib/dpkg/info root/var/lib/dpkg/updates && : >root/var/lib/dpkg/status &&
	dpkg --root="$TRASH/root" --log=/dev/null -i "$d" &&
	dpkg --root="$TRASH/root" -s linux-image-$K-dbg | grep -qx "Status: install ok installed" &&
	test -s root/usr/lib/debug/boot/vmlinux-$K
'

# build_id FILE: the hex GNU build ID of an ELF file.
build_id() { readelf -n "$1" | sed -n "s/^ *Build ID: *\([0-9a-f]*\)$/\1/p"; }
# module_elf FILE: a module file of the image package, uncompressed.
module_elf() {
	case $1 in
	*.ko) cat "$1" ;; *.ko.xz) xz -dc "$1" ;; *.ko.zst) zstd -qdc "$1" ;; *.ko.gz) gzip -dc "$1" ;;
	*) echo "unknown module file $1" >&2 && return 1 ;;
	esac
}
# gdb_resolves FILE SYMBOL: gdb, reading FILE alone, knows SYMBOL.
gdb_resolves() {
	gdb -nx -batch -ex "info address $2" "$1" >gdb.out 2>&1 || true
	grep -q "^Symbol \"$2\" is .*0x" gdb.out && return 0
	echo "gdb on $1 does not resolve $2:" && cat gdb.out && return 1
}

test_expect_success 'linux-image-dbg alone: vmlinux for gdb, crash, perf, kdump-tools; a debug file per module by name and build ID' '
	dpkg-deb -x "$(deb linux-image-$K-dbg)" dbg && dpkg-deb -x "$(deb linux-image-$K)" img &&
	D=dbg/usr/lib/debug && v=$D/boot/vmlinux-$K &&
	for f in $D/lib/modules/$K/vmlinux $D/vmlinux-$K; do
		test "$(readlink -f "$f")" = "$(readlink -f "$v")" || { echo "$f is not $v"; exit 1; }
	done &&
	gdb_resolves "$v" start_kernel &&
	id=$(build_id "$v") && test -n "$id" &&
	test "$(readlink -f "$D/.build-id/${id:0:2}/${id:2}.debug")" = "$(readlink -f "$v")" &&
	(cd img/lib/modules/$K/kernel && find . -name "*.ko*" | LC_ALL=C sort) >mods && test "$(wc -l <mods)" -ge 10 &&
	while read -r m; do
		m=${m#./} && ko=${m%.ko*}.ko &&
		module_elf "img/lib/modules/$K/kernel/$m" >image.ko &&
		id=$(build_id image.ko) && test -n "$id" || { echo "$m: no build ID"; exit 1; }
		l=$D/.build-id/${id:0:2}/${id:2}.debug &&
		test "$(readlink -f "$l")" = "$(readlink -f "$D/lib/modules/$K/kernel/$ko")" || { echo "$m: no debug file $l for $ko"; exit 1; }
		test "$(build_id "$l")" = "$id" && test "$(od -An -c -N4 "$l" | tr -d " ")" = 177ELF || { echo "$l: not an uncompressed ELF with build ID $id"; exit 1; }
		echo "$ko" >>debug-files
	done <mods &&
	(cd $D/lib/modules/$K/kernel && find . -type f | sed "s|^\./||" | LC_ALL=C sort) >shipped &&
	test_cmp debug-files shipped &&
	p=$(grep "/xen-pciback\.ko" mods) && module_elf "img/lib/modules/$K/kernel/${p#./}" >pciback.ko &&
	id=$(build_id pciback.ko) && gdb_resolves "$D/.build-id/${id:0:2}/${id:2}.debug" xen_pcibk_init
'

# The seize list is the admin's (xen-passthrough edits it): not a
# conffile, its template under /usr/share; the GRUB snippet is read after
# Debian's xen.cfg.
test_expect_success 'dom0-initramfs: dracut module, initramfs-tools hook, dom0kit-pciback, GRUB snippet, the list not a conffile' '
	dpkg-deb -c "$(deb dom0-initramfs all)" >list &&
	for f in usr/lib/dracut/modules.d/90xen-dom0/module-setup.sh usr/lib/dracut/modules.d/90xen-dom0/xen-dom0-pciback.sh \
		usr/share/initramfs-tools/hooks/xen-dom0 usr/share/initramfs-tools/scripts/init-top/dom0kit-pciback \
		usr/sbin/dom0kit-pciback usr/share/man/man8/dom0kit-pciback.8.gz usr/share/doc/dom0-initramfs/README.Debian \
		usr/share/dom0-initramfs/pciback.conf etc/default/grub.d/zz-xen-dom0.cfg; do
		grep -q " ./$f$" list || { echo "missing $f"; exit 1; }
	done &&
	! grep -q " ./etc/dom0kit" list &&
	dpkg-deb -e "$(deb dom0-initramfs all)" ctl && test "$(cat ctl/conffiles)" = /etc/default/grub.d/zz-xen-dom0.cfg &&
	grep -q "dpkg-maintscript-helper rm_conffile /etc/dom0kit/pciback.conf -- " ctl/preinst &&
	grep -q "dpkg-maintscript-helper mv_conffile /etc/default/grub.d/xen-dom0.cfg /etc/default/grub.d/zz-xen-dom0.cfg -- " ctl/postinst &&
	grep -q "update-initramfs" ctl/triggers
'

test_expect_success 'dom0kit-pciback: BDFs become hide=, check says what is seized, a bad line fails naming it' '
	p=$TOP/packaging/initramfs/dom0kit-pciback &&
	printf "# devices\n0000:03:00.0\n 0000:00:04.1  # nic\n\n0000:03:00.0\n" >ok.conf &&
	test "$("$p" options ok.conf)" = "options xen_pciback hide=(0000:03:00.0)(0000:00:04.1)" &&
	test "$("$p" check ok.conf)" = "ok.conf: 2 device(s) seized at boot: (0000:03:00.0)(0000:00:04.1)" &&
	printf "0000:03:00.0\n03:00.0\n" >bad.conf &&
	for c in check options; do
		test_expect_code 1 "$p" $c bad.conf >out 2>err && one_line err && test ! -s out &&
		grep -qx "dom0kit-pciback: bad.conf:2: not a PCI address (dddd:bb:dd.f): 03:00.0" err || exit 1
	done &&
	test -z "$("$p" options /nonexistent)" && "$p" check /nonexistent | grep -q "no devices are seized" &&
	test_expect_code 2 "$p" frobnicate 2>err && one_line err &&
	test_expect_code 2 "$p" 2>err && one_line err
'

test_expect_success 'xen-passthrough: the tool, its man page (gzip -n), copyright, changelog; shlibs Depends; hardened' '
	x=$(deb xen-passthrough) && dpkg-deb -c "$x" >list &&
	for f in usr/sbin/xen-passthrough usr/share/man/man8/xen-passthrough.8.gz \
		usr/share/doc/xen-passthrough/copyright usr/share/doc/xen-passthrough/changelog.Debian.gz; do
		grep -q " ./$f$" list || { echo "missing $f"; exit 1; }
	done &&
	grep -q "^-rwxr-xr-x root/root .* ./usr/sbin/xen-passthrough$" list &&
	test "$(dpkg-deb -f "$x" Section)" = admin && test "$(dpkg-deb -f "$x" Architecture)" = amd64 &&
	dpkg-deb -f "$x" Depends >deps && grep -q "libpci3 (>= " deps && grep -q "libc6 (>= " deps &&
	dpkg-deb -x "$x" xp && m=xp/usr/share/man/man8/xen-passthrough.8.gz &&
	zcat "$m" | cmp - "$TOP/tools/xen-passthrough/xen-passthrough.8" &&
	# gzip -n: flags and mtime (header bytes 3 to 7) are zero, no name.
	test "$(od -An -tx1 -j3 -N5 "$m" | tr -d " ")" = 0000000000 &&
	grep -q "^Files: debian/tools/xen-passthrough/\*" xp/usr/share/doc/xen-passthrough/copyright &&
	grep -q "^License: GPL-2+" xp/usr/share/doc/xen-passthrough/copyright &&
	b=xp/usr/sbin/xen-passthrough && readelf -h "$b" | grep -q "Type: *DYN" &&
	readelf -d "$b" | grep -q BIND_NOW && readelf -lW "$b" | grep -q GNU_RELRO &&
	nm -D "$b" | grep -q "__printf_chk" && ! readelf -SW "$b" | grep -q "\.debug_info"
'

# One grammar: whatever xen-passthrough refuses to edit, the initramfs
# hooks refuse to build from, and the other way round (boot-report reads
# the list and nothing else here: an empty sysfs).
test_expect_success 'xen-passthrough and dom0kit-pciback accept and refuse the same seize-list lines' '
	x=$TRASH/xp/usr/sbin/xen-passthrough && p=$TOP/packaging/initramfs/dom0kit-pciback &&
	mkdir -p sys/bus/pci/devices proc && : >kmsg && n=0 &&
	while IFS= read -r line; do
		n=$((n + 1)) && printf "%s\n" "$line" >g$n.conf &&
		a=0 && "$p" check g$n.conf >/dev/null 2>&1 || a=$? &&
		b=0 && "$x" --sysfs-root "$TRASH/sys" --proc-root "$TRASH/proc" --conf g$n.conf boot-report --kmsg kmsg >/dev/null 2>xerr || b=$? &&
		if grep -q "expected a BDF" xerr; then b=rejected; else b=accepted; fi &&
		if [ $a = 0 ]; then a=accepted; else a=rejected; fi &&
		test $a = $b || { echo "line [$line]: dom0kit-pciback $a it, xen-passthrough $b it"; exit 1; }
	done <<-\EOF
	0000:03:00.0
	ABCD:ef:1F.7
	  0000:03:00.0 # a comment
		0000:03:00.0	
	# only a comment
	03:00.0
	0000:3:00.0
	0000:03:00.8
	0000:03:20.0
	0000:03:00.0 0000:04:00.0
	0000:03:00.0x
	0000-03-00.0
	EOF
	test $n = 12
'

test_expect_success 'lintian: xen-passthrough has no errors and no warnings' '
	lintian --fail-on error,warning "$(deb xen-passthrough)" >lintian.out 2>&1 || { cat lintian.out; exit 1; }
	! grep -E "^[EW]: " lintian.out
'

# lintian on the whole source package reads every file of the kernel tree
# (19 minutes here): make check-release runs it.
test_expect_success 'lintian: no errors on the binary packages' '
	lintian --fail-on error "$P"/linux-dom0_${V}_amd64.changes >lintian.out 2>&1 || { cat lintian.out; exit 1; }
	! grep "^E:" lintian.out
'

test_expect_success 'the source package unpacks with the series applied and builds its debian/ checks' '
	dpkg-source -x "$P/linux-dom0_$V.dsc" src >/dev/null &&
	grep -q "ids" src/drivers/xen/xen-pciback/pci_stub.c &&
	test -x src/debian/rules && test -s src/debian/config/config &&
	grep -qx "Standards-Version: 4\.7\.[0-9]*" src/debian/control &&
	(cd src && dpkg-checkbuilddeps) &&
	src/debian/check-config src/debian/config/requested src/debian/config/config &&
	sed "s/^CONFIG_XEN_DOM0=y/# CONFIG_XEN_DOM0 is not set/" src/debian/config/config >dropped &&
	test_expect_code 1 src/debian/check-config src/debian/config/requested dropped 2>err &&
	grep -q "CONFIG_XEN_DOM0 requested y, got n" err
'

test_expect_success 'linux-headers: an external module builds against the packaged headers, which name no build directory' '
	dpkg-deb -x "$(deb linux-headers-$K)" hdr &&
	test "$(readlink hdr/lib/modules/$K/build)" = /usr/src/linux-headers-$K &&
	w=$(cd "$CHECK_WORK" && pwd -P) && { grep -rlaE "$w|/src/linux-6\.12\.107/" hdr >leaks || true; } && test_cmp /dev/null leaks &&
	mkdir mod && cp "$TEST_DIRECTORY/fixtures/dkms-hello/dom0kit_hello.c" mod/ &&
	echo "obj-m := dom0kit_hello.o" >mod/Kbuild &&
	make -C hdr/usr/src/linux-headers-$K M="$TRASH/mod" modules >build.log 2>&1 || { tail -n 30 build.log; exit 1; }
	modinfo mod/dom0kit_hello.ko | grep -q "^vermagic: *$K "
'

test_expect_success '--no-dbg (build profile pkg.linux-dom0.nodbg): no -dbg package' '
	pkg --outdir "$TRASH/nodbg" --no-dbg --no-source-package package >out &&
	test -s "$TRASH/nodbg/linux-image-${K}_${V}_amd64.deb" &&
	! ls "$TRASH/nodbg" | grep -q -- "-dbg_"
'

# Issue 15, item 3: a rebuild whose module ABI differs must not take the
# name of a kernel already packaged (installed over it, it would replace
# the modules of a running kernel). The other ABI is made here by editing
# the headers package the first case built; dry runs refuse as real ones.
# repack DIR EDIT: the headers package into DIR, with EDIT run in its tree.
repack() {
	rm -rf x && dpkg-deb -R "$P/linux-headers-${K}_${V}_amd64.deb" x && (cd x/usr/src/linux-headers-$K && eval "$2") &&
		mkdir -p "$1" && dpkg-deb -b x "$1/linux-headers-${K}_${V}_amd64.deb" >/dev/null && rm -rf x
}
export -f repack
test_expect_success 'a package name already in OUTDIR with another module ABI is refused; --abi and --revision give the new kernel its own' '
	h=linux-headers-${K}_${V}_amd64.deb &&
	repack same : && pkg --outdir same --no-source-package --dry-run package >out &&
	grep -q "^would package: linux-dom0 $V (debian bookworm): linux-image-$K, dpkg" out &&
	repack bindeb "rm .config" && pkg --outdir bindeb --no-source-package --dry-run package >out &&
	grep -q "^would package: linux-dom0 $V (debian bookworm): linux-image-$K, dpkg" out &&
	repack sym "printf \"0x00000000\tdom0kit_test\tvmlinux\tEXPORT_SYMBOL\t\n\" >>Module.symvers" &&
	rc=0 && pkg --outdir sym --no-source-package package >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && test "$(ls sym)" = "$h" &&
	grep -F "sym holds $h of another module ABI (Module.symvers differs): a kernel of another ABI needs its own name: build with --abi 2 --revision 2" err &&
	repack cfg "echo CONFIG_DOM0KIT_TEST=y >>include/config/auto.conf" &&
	rc=0 && pkg --outdir cfg --no-source-package --dry-run package >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -F "holds $h of another module ABI (config differs)" err &&
	pkg --outdir sym --no-source-package --abi 2 --revision 2 --dry-run package >out &&
	grep -q "^would package: linux-dom0 6.12.107-2dom0~deb12 (debian bookworm): linux-image-6.12.107-2-qemu-dom0, dpkg" out &&
	mkdir -p meta && cp "$(deb linux-image-qemu-dom0)" meta/ &&
	rc=0 && pkg --outdir meta --no-source-package --abi 2 --dry-run package >out 2>err || rc=$? &&
	test $rc = 2 && one_line err &&
	grep -F "holds linux-image-qemu-dom0_${V}_amd64.deb for another kernel (linux-image-$K): the metapackage of a new ABI needs a new version: add --revision 2" err &&
	pkg --outdir meta --no-source-package --abi 2 --revision 2 --dry-run package >out
'

# The versions are dom0kit's own, read from dry-run package plans: a
# package built for an older suite sorts below the same build for a newer
# one (sid, like the bindeb packager, has no suffix), and any newer
# revision or release sorts above every suite's.
test_expect_success 'versions sort across suites, revisions and releases' '
	v() { plan_version --workdir "$CHECK_WORK" --outdir plan-out --profile qemu --maintainer "$MAINT" "$@"; } &&
	deb11=$(v --suite bullseye) && deb12=$(v --suite bookworm) && deb13=$(v --suite trixie) &&
	deb14=$(v --suite forky) && sid=$(v --suite sid) && bindeb=$(v --packager bindeb) &&
	deb12r2=$(v --suite bookworm --revision 2) && deb13r9=$(v --suite trixie --revision 9) &&
	deb12next=$(v --suite bookworm --kernel 6.12.108) &&
	u22=$(v --distro ubuntu --suite jammy) && u24=$(v --distro ubuntu --suite noble) && u26=$(v --distro ubuntu --suite resolute) &&
	test "$deb12" = "$V" && test "$deb13" = 6.12.107-1dom0~deb13 && test "$u24" = 6.12.107-1dom0~ubuntu24.04 &&
	for pair in "$deb11 $deb12" "$deb12 $deb13" "$deb13 $deb14" "$deb14 $sid" "$deb14 $bindeb" \
		"$deb13 $deb12r2" "$deb13r9 $deb12next" "$u22 $u24" "$u24 $u26"; do
		dpkg --compare-versions ${pair% *} lt ${pair#* } || { echo "not ordered: ${pair% *} should sort below ${pair#* }"; exit 1; }
	done
'

test_expect_success 'a maintainer lintian would reject (root, a host without a domain) is warned about' '
	"$DOM0KIT" --workdir "$CHECK_WORK" --outdir plan-out --profile qemu --suite bookworm --dry-run package >out 2>err &&
	if [ "$(id -un)" = root ]; then grep -q "lintian rejects root" err; fi &&
	DEBFULLNAME=Jane DEBEMAIL=jane@buildhost "$DOM0KIT" --workdir "$CHECK_WORK" --outdir plan-out --profile qemu --suite bookworm --dry-run package >out 2>err &&
	grep -q "maintainer Jane <jane@buildhost>: lintian rejects" err &&
	pkg --outdir plan-out --dry-run package >out 2>err && ! grep -q warning err
'

test_expect_success 'bad packaging options: one line, exit 2' '
	for a in "--packager rpm" "--distro arch" "--suite nosuch" "--maintainer nobody"; do
		rc=0 && pkg --outdir plan-out $a package >out 2>err || rc=$?
		test $rc = 2 && one_line err && grep -q -- "${a#* }" err || { echo "$a: rc $rc"; cat err; exit 1; }
	done
'
test_done
