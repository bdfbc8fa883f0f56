# shellcheck shell=bash
# boot-test: boots the kernel just built as Xen dom0 (and bare, as a KVM
# host) under QEMU's software emulation and judges each scenario only by
# markers on the serial console.

# shellcheck source=scripts/lib/kmake.sh
. "$LIB/kmake.sh"
# shellcheck source=scripts/lib/boot-image.sh
. "$LIB/boot-image.sh"
# shellcheck source=scripts/lib/boot-qemu.sh
. "$LIB/boot-qemu.sh"

help_boot_test() {
	cat <<'H'
Usage: dom0kit boot-test [--kernel SPEC] [--profile NAME] [--scenario LIST]
                         [--xen=PATH] [--qemu-cpu=CPU] [--dom0-append=ARGS]
Scenarios (comma-separated; default smoke,seize,passthrough,kvm):
  smoke        dom0 reaches init, /proc/xen/capabilities is control_d,
               uname -r is the built release, xl list shows Domain-0
  seize        QEMU's edu device (1234:11e8) is bound to pciback by
               xen-pciback.hide=(BDF) with pciback as a module, and
               xl pci-assignable-list lists it
  passthrough  q35 + emulated IOMMU + Xen iommu=1: a PV domU gets the edu
               device with pci=[...] and uses it through pcifront
  kvm          the kernel boots without Xen as a KVM host: kvm_amd, a
               2-vCPU VM, vfio-pci binds edu, BAR0 read through VFIO
smoke, seize and passthrough share one boot. --xen takes xen-*.gz or an
uncompressed xen ELF (default: Debian's installed xen-hypervisor).
Logs: WORKDIR/logs/boot/*.log. Exit 1 when any scenario fails.
H
}

BOOT_SCENARIOS=smoke,seize,passthrough,kvm BOOT_XEN='' BOOT_CPU=qemu64 BOOT_DOM0_APPEND=''
args_boot_test() {
	while [ $# -gt 0 ]; do
		case $1 in
		--scenario=*) BOOT_SCENARIOS=${1#*=} ;;
		--xen=*) BOOT_XEN=${1#*=} ;;
		--qemu-cpu=*) BOOT_CPU=${1#*=} ;;
		--dom0-append=*) BOOT_DOM0_APPEND=${1#*=} ;;
		*) die "$EXIT_USAGE" "unknown option for boot-test: $1 (options take --name=value)" ;;
		esac
		shift
	done
	local s
	for s in ${BOOT_SCENARIOS//,/ }; do
		case $s in smoke | seize | passthrough | kvm) ;;
		*) die "$EXIT_USAGE" "unknown boot-test scenario: $s (smoke, seize, passthrough, kvm)" ;;
		esac
	done
}

wants() { [[ ,$BOOT_SCENARIOS, == *,$1,* ]]; }

# The symbols a scenario cannot boot without, checked before booting.
require_config() {
	local sym missing=()
	for sym in "$@"; do
		grep -qE "^$sym=[ym]" "$OBJDIR/.config" || missing+=("$sym")
	done
	[ ${#missing[@]} -eq 0 ] ||
		die "$EXIT_USAGE" "kernel in $OBJDIR lacks ${missing[*]}: it cannot run boot-test ${BOOT_SCENARIOS}"
}

# find_xen: an uncompressed Xen ELF for QEMU's multiboot loader.
find_xen() {
	local src=$BOOT_XEN
	if [ -z "$src" ]; then
		src=$(printf '%s\n' /usr/lib/xen-*/boot/xen-*-amd64.gz /boot/xen-*-amd64.gz | sort -V | tail -n 1)
		[ -n "$src" ] || die "$EXIT_DEPS" "no Xen hypervisor found: apt-get install xen-hypervisor-4.17-amd64, or pass --xen=PATH"
	fi
	[ -f "$src" ] || die "$EXIT_USAGE" "no Xen hypervisor at $src"
	case $src in
	*.gz) gzip -dc "$src" >"$BOOTDIR/xen.elf.tmp" || die "$EXIT_USAGE" "cannot decompress $src" ;;
	*) cp "$src" "$BOOTDIR/xen.elf.tmp" ;;
	esac
	head -c 4 "$BOOTDIR/xen.elf.tmp" | grep -q 'ELF' || die "$EXIT_USAGE" "$src is not a Xen ELF image"
	mv -f "$BOOTDIR/xen.elf.tmp" "$BOOTDIR/xen.elf"
	XEN_SOURCE=$src
}

# Judges smoke, seize and passthrough from the one dom0 boot.
judge_dom0() {
	local bdf=0000:00:05.0
	if wants smoke; then
		CHECKS_FAILED=()
		check "dom0 reached init" "DOM0KIT: init"
		check "/proc/xen/capabilities says control_d" "DOM0KIT: caps control_d"
		[ "$(marker_lines 'DOM0KIT: uname ' | head -n 1)" = "$KERNELRELEASE" ] ||
			CHECKS_FAILED+=("uname -r is $KERNELRELEASE (got '$(marker_lines 'DOM0KIT: uname ' | head -n 1)')")
		check "xl list shows Domain-0" "DOM0KIT: xl-list Domain-0"
		! has_marker "DOM0KIT: FAIL" || CHECKS_FAILED+=("a setup step failed: $(marker_lines 'DOM0KIT: FAIL ' | tr '\n' ';')")
		report smoke
	fi
	if wants seize; then
		CHECKS_FAILED=()
		check "xen-pciback.hide= bound $bdf to pciback" "DOM0KIT: driver $bdf pciback"
		check "xl pci-assignable-list lists $bdf" "DOM0KIT: assignable $bdf"
		report seize
	fi
	if wants passthrough; then
		CHECKS_FAILED=()
		[[ $(marker_lines 'DOM0KIT: virt-caps ') == *pv_directio* ]] || CHECKS_FAILED+=("xl info shows pv_directio")
		check "the domU sees edu through pcifront" "DOMU: pci 0000:00:00.0 0x1234:0x11e8"
		check "edu's ID register reads 0x010000ed in the domU" "DOMU: EDU-ID 0x010000ed"
		check "edu's liveness register answers in the domU" "DOMU: EDU-LIVENESS OK"
		check "xl create -c returned 0" "DOM0KIT: domu-exit 0"
		report passthrough
	fi
}

boot_dom0() {
	local machine=pc xen_args dom0_args scen
	require_config CONFIG_XEN_DOM0 CONFIG_XEN_PV CONFIG_HVC_XEN CONFIG_XENFS CONFIG_XEN_DEV_EVTCHN \
		CONFIG_XEN_PRIVCMD CONFIG_XEN_GNTDEV CONFIG_BLK_DEV_INITRD CONFIG_DEVTMPFS
	if wants seize || wants passthrough; then
		require_config CONFIG_XEN_PCIDEV_BACKEND CONFIG_XEN_PCIDEV_FRONTEND
	fi
	find_xen
	build_progs
	make_dom0_image
	xen_args="console=com1 com1=115200,8n1 dom0_mem=512M,max:512M loglvl=all guest_loglvl=all"
	# QEMU device options contain commas: they are not array separators.
	# shellcheck disable=SC2054
	local qemu_dev=(-device edu,addr=05.0)
	if wants passthrough; then
		machine=q35
		xen_args+=" iommu=1"
		# shellcheck disable=SC2054
		qemu_dev=(-device intel-iommu,intremap=on -device edu,addr=05.0)
	fi
	scen=$(echo "$BOOT_SCENARIOS" | tr , '\n' | grep -v kvm | paste -sd+)
	dom0_args="console=hvc0 earlyprintk=xen xen-pciback.hide=(0000:00:05.0) dom0kit.scenarios=$scen $BOOT_DOM0_APPEND"
	# QEMU splits multiboot modules at commas.
	[[ $dom0_args$OBJDIR$BOOTDIR != *,* ]] || die "$EXIT_USAGE" "no comma allowed in the dom0 command line or work dir path (QEMU splits modules there)"
	info "    booting Xen ($XEN_SOURCE) with $KERNELRELEASE as dom0: $scen"
	qemu_boot "dom0-$scen" 420 "DOM0KIT: done" -machine "$machine" -cpu "$BOOT_CPU" -m 2048 -smp 1 \
		"${qemu_dev[@]}" -kernel "$BOOTDIR/xen.elf" -append "$xen_args" \
		-initrd "$OBJDIR/arch/x86/boot/bzImage $dom0_args,$BOOTDIR/dom0-initrd.gz"
	judge_dom0
}

boot_kvm() {
	require_config CONFIG_KVM CONFIG_KVM_AMD CONFIG_VFIO CONFIG_VFIO_PCI CONFIG_INTEL_IOMMU
	build_progs
	make_kvm_image
	info "    booting $KERNELRELEASE bare as a KVM host"
	qemu_boot kvm 180 "KVMHOST: done" -machine q35 -cpu "$BOOT_CPU,+svm" -m 1024 -smp 2 \
		-device intel-iommu -device edu,addr=05.0 \
		-kernel "$OBJDIR/arch/x86/boot/bzImage" -initrd "$BOOTDIR/kvm-initrd.gz" \
		-append "console=ttyS0 intel_iommu=on vfio-pci.ids=1234:11e8 panic=-1"
	CHECKS_FAILED=()
	check "/dev/kvm appears with kvm_amd" "KVMHOST: dev-kvm present"
	check "a 2-vCPU VM ran its guest code with every expected exit" "KVMHOST: KVM-SMOKE OK vcpus=2"
	check "vfio-pci claimed edu by ids=1234:11e8" "KVMHOST: edu 0000:00:05.0 driver vfio-pci"
	check "BAR0 of edu read and written through VFIO's group API" "KVMHOST: VFIO-EDU OK api=group"
	if grep -qE '^CONFIG_VFIO_DEVICE_CDEV=y' "$OBJDIR/.config"; then
		check "BAR0 of edu read and written through iommufd" "KVMHOST: VFIO-EDU OK api=iommufd"
	fi
	report kvm
}

cmd_boot_test() {
	ensure_deps boot-test
	command -v qemu-system-x86_64 >/dev/null || die "$EXIT_DEPS" "qemu-system-x86_64 not found: apt-get install qemu-system-x86"
	if [ ! -f "$OBJDIR/arch/x86/boot/bzImage" ] || [ ! -f "$OBJDIR/.config" ]; then
		die "$EXIT_USAGE" "no kernel built for $RELEASE with profile $OPT_PROFILE: run dom0kit build --kernel $RELEASE --profile $OPT_PROFILE"
	fi
	[ -f "$STATEDIR/kernelrelease" ] && KERNELRELEASE=$(cat "$STATEDIR/kernelrelease")
	BOOTDIR=$WORKDIR/boot/$RELEASE-$OPT_PROFILE
	mkdir -p "$BOOTDIR" "$WORKDIR/logs/boot"
	: >"$WORKDIR/logs/boot-test.log"
	planned boot-test "boot $KERNELRELEASE under QEMU: $BOOT_SCENARIOS" && return 0
	stage_begin boot-test
	BOOT_FAILURES=0
	if wants smoke || wants seize || wants passthrough; then boot_dom0; fi
	if wants kvm; then boot_kvm; fi
	stage_end boot-test
	[ "$BOOT_FAILURES" -eq 0 ] || die "$EXIT_FAIL" "$BOOT_FAILURES boot-test scenario(s) failed"
}
