#!/bin/bash
# configure: bases, profiles and fragments on the real 6.12 tree; the
# audit fails naming every requested symbol that did not land, and why.
. "$(dirname "$0")/test-lib.sh"
test_plan 17

W=$TRASH/w
export W
cfg() { grep -E "^$1=" "$W/build/linux-6.12.107-$2/.config"; }
export -f cfg

test_expect_success 'setup: the pristine 6.12 tree' '
	"$DOM0KIT" --workdir "$W" fetch >/dev/null && "$DOM0KIT" --workdir "$W" patch >/dev/null
'

test_expect_success 'qemu profile: allnoconfig + fragments, every requested symbol holds' '
	"$DOM0KIT" --workdir "$W" --profile qemu configure >out &&
	grep -E "audit: [0-9]+ requested symbols hold" out &&
	cfg CONFIG_XEN_DOM0 qemu | grep -q =y && cfg CONFIG_XEN_PCIDEV_BACKEND qemu | grep -q =m &&
	cfg CONFIG_KVM_AMD qemu | grep -q =m && cfg CONFIG_VFIO_DEVICE_CDEV qemu | grep -q =y &&
	! grep -q "^CONFIG_DRM=" "$W/build/linux-6.12.107-qemu/.config"
'

test_expect_success 'unchanged inputs: skipped, .config keeps its mtime' '
	m=$(stat -c %Y "$W/build/linux-6.12.107-qemu/.config") &&
	"$DOM0KIT" --workdir "$W" --profile qemu configure >out &&
	grep -q "configure: inputs unchanged, skipped" out &&
	test "$(stat -c %Y "$W/build/linux-6.12.107-qemu/.config")" = "$m"
'

test_expect_success 'a dry run honours the stamps: would skip, or run because a fragment changed; it writes nothing' '
	"$DOM0KIT" --workdir "$W" --profile qemu --dry-run configure >plan &&
	test_cmp - plan <<-EOT &&
	would skip configure: inputs unchanged
	EOT
	cp -r "$TOP/configs" c0 && echo "CONFIG_XEN_DOM0=y" >>c0/xen-dom0.config && touch ref && sleep 0.1 &&
	DOM0KIT_CONFIGS=$PWD/c0 "$DOM0KIT" --workdir "$W" --outdir "$TRASH/o" --profile qemu --suite bookworm --dry-run build >plan &&
	grep -qx "would skip patch: inputs unchanged" plan &&
	grep -qx "would run configure because xen-dom0.config changed" plan && grep -q "^would configure: base allnoconfig" plan &&
	grep -qx "would run compile because it has not run yet" plan &&
	test "$(find "$W" -newer ref | wc -l)" = 0
'

test_expect_success 'TERM while configuring: interrupted, exit 130, .config untouched, no candidate left' '
	sum=$(sha256sum <"$W/build/linux-6.12.107-qemu/.config")
	DOM0KIT_CONFIGS=$PWD/c0 "$DOM0KIT" --workdir "$W" --profile qemu configure >out 2>err &
	pid=$!
	for i in $(seq 600); do [ -e "$W/build/linux-6.12.107-qemu/.config.dom0kit-new" ] && break; sleep 0.1; done &&
	sleep 0.5 && kill -TERM $pid && rc=0 && wait $pid || rc=$? &&
	test $rc = 130 && one_line err && grep -q "^dom0kit: interrupted during configure" err &&
	test "$(sha256sum <"$W/build/linux-6.12.107-qemu/.config")" = "$sum" &&
	[ -z "$(find "$W/build/linux-6.12.107-qemu" -maxdepth 1 -name ".config.dom0kit-*")" ] &&
	[ ! -e "$W/state/6.12.107/configure@qemu.stamp" ]
'

test_expect_success 'a symbol that cannot land fails the audit, naming it; .config untouched' '
	cp -r "$TOP/configs" c1 && echo "CONFIG_DOM0KIT_NO_SUCH_SYMBOL=y" >>c1/xen-dom0.config &&
	sed -i "/^CONFIG_VFIO=m/d" c1/kvm-host.config &&
	sum=$(sha256sum <"$W/build/linux-6.12.107-qemu/.config") &&
	rc=0 && DOM0KIT_CONFIGS=$PWD/c1 "$DOM0KIT" --workdir "$W" --profile qemu configure >out 2>err || rc=$? &&
	test $rc = 1 &&
	grep -q "config audit failed: 6 requested symbols did not land" err &&
	grep -qx "  CONFIG_DOM0KIT_NO_SUCH_SYMBOL: requested y, got n: not a symbol of this kernel.s Kconfig" err &&
	grep -qx "  CONFIG_VFIO_PCI: requested m, got n: needs VFIO && PCI && MMU, and VFIO is n" err &&
	test "$(sha256sum <"$W/build/linux-6.12.107-qemu/.config")" = "$sum" &&
	[ ! -e "$W/build/linux-6.12.107-qemu/.config.dom0kit-new" ]
'

# Why each symbol did not land, from the tree's own Kconfig (config-why).
test_expect_success 'the audit names the dependency that is off and its value' '
	cp -r "$TOP/configs" c2 && printf "%s\n" "# CONFIG_PCI is not set" "CONFIG_XEN_PCIDEV_BACKEND=y" >>c2/passthrough.config &&
	rc=0 && DOM0KIT_CONFIGS=$PWD/c2 "$DOM0KIT" --workdir "$W" --profile qemu configure >out 2>err || rc=$? &&
	test $rc = 1 &&
	grep -qx "  CONFIG_XEN_PCIDEV_BACKEND: requested y, got n: needs PCI && X86 && XEN && XEN_BACKEND, and PCI is n" err &&
	grep -qx "  CONFIG_PCI_MSI: requested y, got n: needs PCI, which is n" err &&
	grep -qx "Symbol: XEN_PCIDEV_BACKEND \[=n\]" "$W/logs/configure.log" &&
	! grep -q "reasons may be off" "$W/logs/configure.log" &&
	[ -z "$(find "$W/build/linux-6.12.107-qemu" -maxdepth 1 -name ".config.dom0kit-*")" ]
'

test_expect_success 'modules off: the tristates built in instead are one line, each in the log' '
	cp -r "$TOP/configs" c3 && echo "# CONFIG_MODULES is not set" >>c3/qemu.config &&
	rc=0 && DOM0KIT_CONFIGS=$PWD/c3 "$DOM0KIT" --workdir "$W" --profile qemu configure >out 2>err || rc=$? &&
	test $rc = 1 &&
	n=$(grep -c "^  CONFIG_[A-Z0-9_]*: requested m, got y: CONFIG_MODULES is n, so it is built in$" "$W/logs/configure.log") &&
	test "$n" -gt 20 &&
	grep -qE "^  $n symbols requested m, got y \(CONFIG_[A-Z0-9_]+, CONFIG_[A-Z0-9_]+, CONFIG_[A-Z0-9_]+ and $((n - 3)) more, in the log\): CONFIG_MODULES is n, so tristates are built in$" err &&
	! grep -q "requested m, got y:" err &&
	grep -qx "  CONFIG_MODULE_UNLOAD: requested y, got n: needs MODULES, which is n" err &&
	grep -q "config audit failed: $((n + 1)) requested symbols did not land" err
'

test_expect_success 'a failed audit leaves no stamp: the next run configures again' '
	"$DOM0KIT" --workdir "$W" --profile qemu configure >out && ! grep -q skipped out
'

test_expect_success 'a base that is not a kernel config' '
	echo hello >notconfig && rc=0 &&
	"$DOM0KIT" --workdir "$W" --profile qemu --base "$PWD/notconfig" configure >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "not a kernel config: .*notconfig" err
'

test_expect_success 'running base without /boot/config of the running kernel' '
	rc=0 && DOM0KIT_RUNNING_CONFIG=/nonexistent/config-x "$DOM0KIT" --workdir "$W" --profile qemu --base running configure >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "no running kernel config at /nonexistent/config-x" err
'

test_expect_success 'distro profile: Debian.s own 6.12 config plus every fragment holds' '
	"$DOM0KIT" --workdir "$W" configure >out &&
	grep -E "audit: [0-9]+ requested symbols hold" out &&
	ls "${DOM0KIT_CACHE:-$HOME/.cache/dom0kit}"/configs/debian-6.12-*.config &&
	cfg CONFIG_XEN_DOM0 distro | grep -q =y && cfg CONFIG_SND_HDA_INTEL distro | grep -q =m &&
	cfg CONFIG_XEN_PCIDEV_BACKEND distro | grep -q =m &&
	! grep -E "^CONFIG_[A-Z_]+=\"debian/" "$W/build/linux-6.12.107-distro/.config" &&
	# Lockdown forces MODULE_SIG on; without --sign-key no throwaway key is made.
	cfg CONFIG_MODULE_SIG distro | grep -q =y && cfg CONFIG_MODULE_SIG_KEY distro | grep -qx "CONFIG_MODULE_SIG_KEY=\"\"" &&
	! cfg CONFIG_MODULE_SIG_ALL distro
'

test_expect_success '--sign-key/--sign-cert select MODULE_SIG_ALL with that key (t9300 checks the signatures); a foreign certificate is refused' '
	openssl req -new -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=dom0kit test" -keyout k.pem -out c.pem 2>/dev/null &&
	openssl req -new -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=other" -keyout k2.pem -out c2.pem 2>/dev/null &&
	"$DOM0KIT" --workdir "$W" --profile qemu --sign-key k.pem --sign-cert c.pem configure >out &&
	cfg CONFIG_MODULE_SIG_ALL qemu | grep -q =y &&
	# Inside the object tree, never this host.s path: the config goes into
	# the source package (docs/secure-boot.md).
	cfg CONFIG_MODULE_SIG_KEY qemu | grep -qx "CONFIG_MODULE_SIG_KEY=\"certs/dom0kit-signing.pem\"" &&
	cat k.pem c.pem | cmp - "$W/build/linux-6.12.107-qemu/certs/dom0kit-signing.pem" &&
	test "$(stat -c %a "$W/build/linux-6.12.107-qemu/certs/dom0kit-signing.pem")" = 600 &&
	rc=0 && "$DOM0KIT" --workdir "$W" --profile qemu --sign-key k.pem --sign-cert c2.pem configure >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "does not belong to the key" err &&
	rc=0 && "$DOM0KIT" --workdir "$W" --profile qemu --sign-key k.pem configure >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "needs both --sign-key and --sign-cert" err &&
	"$DOM0KIT" --workdir "$W" --profile qemu configure >out && ! cfg CONFIG_MODULE_SIG qemu
'

test_expect_success 'Debian certificate paths of a base config are cleared' '
	cat "${DOM0KIT_CACHE:-$HOME/.cache/dom0kit}"/configs/debian-6.12-*.config >base.config &&
	printf "%s\n" "CONFIG_SYSTEM_TRUSTED_KEYS=\"debian/certs/debian-uefi-certs.pem\"" "CONFIG_MODULE_SIG_KEY=\"debian/certs/signing.pem\"" >>base.config &&
	"$DOM0KIT" --workdir "$W" --base "$PWD/base.config" configure >out &&
	cfg CONFIG_SYSTEM_TRUSTED_KEYS distro | grep -qx "CONFIG_SYSTEM_TRUSTED_KEYS=\"\"" &&
	! grep -q "debian/certs" "$W/build/linux-6.12.107-distro/.config"
'

# What the base sets and olddefconfig drops is named with Kconfig's reason
# (a distribution's own patch symbol, a compiler capability); Debian's
# LOCK_DOWN_IN_EFI_SECURE_BOOT survives now that the series carries it.
test_expect_success 'a base symbol that does not survive olddefconfig is named, with the reason in the log' '
	{ cat base.config && echo "CONFIG_DOM0KIT_NO_SUCH_SYMBOL=y"; } >lost.config &&
	"$DOM0KIT" --workdir "$W" --base "$PWD/lost.config" configure >out &&
	grep -E "^    base: [0-9]+ symbols it sets are not in the result \(reasons in logs/configure.log\): .*CONFIG_DOM0KIT_NO_SUCH_SYMBOL( |$)" out &&
	grep -qx "  CONFIG_DOM0KIT_NO_SUCH_SYMBOL: requested y, got n: not a symbol of this kernel.s Kconfig" "$W/logs/configure.log" &&
	! grep "^    base: .*CONFIG_LOCK_DOWN_IN_EFI_SECURE_BOOT" out &&
	grep -qx "CONFIG_LOCK_DOWN_IN_EFI_SECURE_BOOT=y" base.config && cfg CONFIG_LOCK_DOWN_IN_EFI_SECURE_BOOT distro | grep -q =y
'

test_expect_success '--distro ubuntu --base FILE: configures on that file, and the progress says it is the user.s' '
	{ cat base.config && echo "# an Ubuntu kernel config, as --base FILE"; } >ubuntu.config &&
	"$DOM0KIT" --workdir "$W" --distro ubuntu --suite noble --base "$PWD/ubuntu.config" configure >out &&
	grep -qx "    base: your file $PWD/ubuntu.config" out &&
	"$DOM0KIT" --workdir "$W" --profile qemu --base allnoconfig --sign-key k.pem --sign-cert c.pem configure >out &&
	grep -qx "    base: the kernel.s allnoconfig" out &&
	"$DOM0KIT" --workdir "$W" configure >out &&
	# Debian.s config package is named by its version, and by the release
	# it was made for when that is not the one being built.
	v=$(sed -n "s/^    base: Debian.s linux-config-6\.12 \([^ ,]*\).*/\1/p" out) &&
	test -s "${DOM0KIT_CACHE:-$HOME/.cache/dom0kit}/configs/debian-6.12-$v.config" && up=${v%%-*} &&
	if [ "$up" = 6.12.107 ]; then
		grep -qx "    base: Debian.s linux-config-6.12 $v" out
	else
		grep -qx "    base: Debian.s linux-config-6.12 $v, made for $up, not 6.12.107" out
	fi
'

test_expect_success 'host profile: trimmed to the loaded modules, Xen and passthrough kept' '
	printf "%s\n" "Module Size Used" "ext4 1 0 - Live 0x0" "e1000e 1 0 - Live 0x0" >lsmod &&
	DOM0KIT_LSMOD=$PWD/lsmod "$DOM0KIT" --workdir "$W" --profile host configure >out &&
	grep -E "audit: [0-9]+ requested symbols hold" out &&
	cfg CONFIG_E1000E host | grep -q =m && ! cfg CONFIG_SND_HDA_INTEL host &&
	cfg CONFIG_XEN_PCIDEV_BACKEND host | grep -q =m && cfg CONFIG_XEN_NETDEV_BACKEND host | grep -q =m
'
test_done
