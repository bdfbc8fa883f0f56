# shellcheck shell=bash
# system-test: the packages this build made, installed by dpkg into a
# Debian disk image (mmdebstrap, cached), booted by GRUB from that disk
# into Xen and a systemd dom0 under QEMU, which then gives devices to HVM,
# PV and PVH guests. Judged, like boot-test, only by markers on the
# serial console (dom0's, with each guest's console relayed by dom0),
# with timeouts and the same kernel-report rule.

# shellcheck source=scripts/lib/apt-private.sh
. "$LIB/apt-private.sh"
# shellcheck source=scripts/lib/kmake.sh
. "$LIB/kmake.sh"
# shellcheck source=scripts/lib/boot-image.sh
. "$LIB/boot-image.sh"
# shellcheck source=scripts/lib/boot-qemu.sh
. "$LIB/boot-qemu.sh"
# shellcheck source=scripts/lib/system-image.sh
. "$LIB/system-image.sh"
# shellcheck source=scripts/lib/system-judge.sh
. "$LIB/system-judge.sh"

help_system_test() {
	cat <<'H'
Usage: dom0kit system-test [--kernel SPEC] [--profile NAME] [--outdir DIR]
                           [--suite=trixie|bookworm]
                           [--initramfs=initramfs-tools|dracut]
                           [--firmware=bios|uefi]
                           [--scenario=LIST] [--judge-log=FILE]
Installs the packages of `dom0kit package` (profile qemu-system unless
--profile says otherwise) into a Debian disk image with Debian's Xen,
boots it from its own GRUB under QEMU and runs, in the systemd dom0:
  grub             GRUB's default entry is the Xen one 20_linux_xen wrote
                   for our kernel; dom0 reaches multi-user with no failed
                   unit; xen.service active; xl info names the suite's Xen
  seize-at-boot    devices in /etc/dom0kit/pciback.conf are pciback's and
                   were never probed by a dom0 driver; xen-passthrough
                   assign --persist of another, reboot: both pciback's
  hvm-passthrough  an HVM guest (qemu-xen device model) uses edu (ID,
                   liveness, 5 MSI interrupts through VFIO) and an e1000e
                   (MSI-X, link up); a second HVM guest then gets edu
  pv-passthrough   a PV guest uses another edu through pcifront
  pvh              a PVH guest boots (Xen gives PVH guests no devices)
  hvm-reset-guard  an HVM guest holds function 0 of a card without FLR;
                   do_flr of function 1 fails with EBUSY and the guest
                   reads back what it wrote; after the guest it works
  pvh-dom0         (trixie: Xen 4.20) the disk booted with dom0=pvh: dom0
                   comes up and pciback seizes the listed devices
Default: all but pvh-dom0 (a third boot; it passes under Xen 4.20 with
the disk's DMA through QEMU's IOMMU and iommu=no-sharept, see
docs/system-test.md). Suites: trixie (Xen
4.20, the default), bookworm (Xen 4.17). The base image is cached in
~/.cache/dom0kit/system by suite and package set; logs and the disk are
in WORKDIR/logs/system and WORKDIR/system.
--firmware=uefi boots the disk with OVMF (GPT, an EFI system partition,
grub-efi-amd64) instead of a BIOS and GRUB on the MBR.
--judge-log=FILE boots nothing: FILE is judged as phase 1's console.
H
}

SYSTEM_SUITE=trixie SYSTEM_INITRAMFS=initramfs-tools SYSTEM_FIRMWARE=bios SYSTEM_SCENARIOS='' SYSTEM_JUDGE_LOG='' SYSTEM_DEBS=()
SYSTEM_ALL="grub seize-at-boot hvm-passthrough pv-passthrough pvh hvm-reset-guard pvh-dom0"
args_system_test() {
	while [ $# -gt 0 ]; do
		case $1 in
		--suite=*) SYSTEM_SUITE=${1#*=} ;;
		--initramfs=*) SYSTEM_INITRAMFS=${1#*=} ;;
		--firmware=*) SYSTEM_FIRMWARE=${1#*=} ;;
		--scenario=*) SYSTEM_SCENARIOS=${1#*=} ;;
		--judge-log=*) SYSTEM_JUDGE_LOG=$(readlink -m "${1#*=}") ;;
		*) die "$EXIT_USAGE" "unknown option for system-test: $1 (options take --name=value)" ;;
		esac
		shift
	done
	# The dispatcher takes --suite VALUE and --suite=VALUE for every command.
	[ -z "${OPT_SUITE:-}" ] || SYSTEM_SUITE=$OPT_SUITE
	case $SYSTEM_SUITE in
	trixie) SYSTEM_XEN=4.20 ;;
	bookworm) SYSTEM_XEN=4.17 ;;
	*) die "$EXIT_USAGE" "unknown suite for system-test: $SYSTEM_SUITE (trixie, bookworm)" ;;
	esac
	case $SYSTEM_FIRMWARE in
	bios | uefi) ;;
	*) die "$EXIT_USAGE" "unknown firmware: $SYSTEM_FIRMWARE (bios, uefi)" ;;
	esac
	case $SYSTEM_INITRAMFS in
	initramfs-tools | dracut) ;;
	*) die "$EXIT_USAGE" "unknown initramfs generator: $SYSTEM_INITRAMFS (initramfs-tools, dracut)" ;;
	esac
	# pvh-dom0 only when asked for: a third boot (39 s here).
	[ -n "$SYSTEM_SCENARIOS" ] || SYSTEM_SCENARIOS=${SYSTEM_ALL// /,} SYSTEM_SCENARIOS=${SYSTEM_SCENARIOS%,pvh-dom0}
	local s
	for s in ${SYSTEM_SCENARIOS//,/ }; do
		word_in "$SYSTEM_ALL" "$s" || die "$EXIT_USAGE" "unknown system-test scenario: $s (${SYSTEM_ALL// /, })"
	done
	if sys_wants pvh-dom0 && [ "$SYSTEM_XEN" = 4.17 ]; then
		die "$EXIT_USAGE" "pvh-dom0 needs Xen 4.20 (--suite=trixie): Xen 4.17 has no PVH dom0 support worth testing"
	fi
	[ -z "$SYSTEM_JUDGE_LOG" ] || [ -f "$SYSTEM_JUDGE_LOG" ] || die "$EXIT_USAGE" "no log to judge at $SYSTEM_JUDGE_LOG"
	# The stage's own default profile: a kernel that can run Debian.
	[ -n "${OPT_PROFILE_SET:-}" ] || OPT_PROFILE=qemu-system
}

sys_wants() { [[ ,$SYSTEM_SCENARIOS, == *,$1,* ]]; }

# The devices of every boot (q35): an edu on the root bus (PV guest), a
# two-function e1000 card behind a root port (bus 1), an edu (bus 2), an
# e1000e (bus 3) and an e1000 (bus 4, for assign --persist) each alone
# behind one, so that they can be reset between guests (a device on the
# root bus without FLR cannot be: pciback keeps it from a second guest and
# xen-passthrough refuses to assign it).
SYSTEM_SEIZE="0000:02:00.0 0000:03:00.0 0000:00:08.0 0000:01:00.0 0000:01:00.1"
system_qemu_devices() {
	# shellcheck disable=SC2054 # QEMU's commas
	SYSTEM_DEVICES=(-device intel-iommu,intremap=on -device edu,addr=08.0
		-device pcie-root-port,id=rp1,chassis=1,addr=09.0
		-device e1000,bus=rp1,addr=00.0,multifunction=on -device e1000,bus=rp1,addr=00.1
		-device pcie-root-port,id=rp2,chassis=2,addr=0a.0 -device edu,bus=rp2,addr=00.0
		-device pcie-root-port,id=rp3,chassis=3,addr=0b.0 -device e1000e,bus=rp3,addr=00.0
		-device pcie-root-port,id=rp4,chassis=4,addr=0c.0 -device e1000,bus=rp4,addr=00.0)
}

# system_find_debs: our packages for this kernel, checked to be this
# profile's build (another profile's package has the same name).
system_find_debs() {
	local image cfg
	image=$(find "$OUTDIR" -maxdepth 1 -name "linux-image-${KERNELRELEASE}_*_amd64.deb" | sort -V | tail -n 1)
	[ -n "$image" ] || die "$EXIT_USAGE" "no linux-image-$KERNELRELEASE package in $OUTDIR: run dom0kit build --kernel $RELEASE --profile $OPT_PROFILE --outdir $OUTDIR"
	cfg=$SYSTEM_DIR/package.config
	dpkg-deb --fsys-tarfile "$image" | tar -xO "./boot/config-$KERNELRELEASE" >"$cfg" 2>/dev/null ||
		die "$EXIT_USAGE" "$image has no /boot/config-$KERNELRELEASE"
	cmp -s "$cfg" "$OBJDIR/.config" ||
		die "$EXIT_USAGE" "$image was not built from $OBJDIR/.config (another profile's build?): run dom0kit package --profile $OPT_PROFILE --outdir $OUTDIR"
	SYSTEM_DEBS=("$image")
	local p f
	for p in dom0-initramfs xen-passthrough; do
		f=$(find "$OUTDIR" -maxdepth 1 -name "${p}_*.deb" | sort -V | tail -n 1)
		[ -n "$f" ] || die "$EXIT_USAGE" "no $p package in $OUTDIR: run dom0kit package --profile $OPT_PROFILE --outdir $OUTDIR"
		SYSTEM_DEBS+=("$f")
	done
}

# system_boot PHASE TIMEOUT: boots the disk from its own boot loader (on
# the MBR, or the ESP under OVMF); the dom0 driver ends each phase with
# "DOM0KIT-SYS: phase N done".
system_boot() {
	local phase=$1 timeout=$2
	BOOT_LOGDIR=$WORKDIR/logs/system
	if [ -n "$SYSTEM_JUDGE_LOG" ]; then BOOT_JUDGE_LOG=$SYSTEM_JUDGE_LOG; fi
	local fw=()
	if [ "$SYSTEM_FIRMWARE" = uefi ] && [ -z "$SYSTEM_JUDGE_LOG" ]; then
		# OVMF's code read-only, its variables in a copy per disk.
		[ -f "$SYSTEM_DIR/OVMF_VARS.fd" ] || cp "$SYSTEM_OVMF/OVMF_VARS_4M.fd" "$SYSTEM_DIR/OVMF_VARS.fd"
		fw=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$SYSTEM_OVMF/OVMF_CODE_4M.fd"
			-drive "if=pflash,format=raw,unit=1,file=$SYSTEM_DIR/OVMF_VARS.fd")
	fi
	# A PVH dom0 hands the disk guest-physical addresses, which only the
	# IOMMU Xen programs turns into the machine's: a virtio disk must then
	# do its DMA through QEMU's IOMMU (iommu_platform=on), not around it as
	# legacy virtio does. A PV dom0 gives machine addresses (swiotlb-xen).
	local disk=(-drive "file=$SYSTEM_DIR/disk.raw,format=raw,if=virtio")
	if [ "$phase" = 3 ]; then
		# shellcheck disable=SC2054 # QEMU's commas
		disk=(-drive "file=$SYSTEM_DIR/disk.raw,format=raw,if=none,id=disk0"
			-device virtio-blk-pci,drive=disk0,disable-legacy=on,iommu_platform=on)
	fi
	info "    booting $SYSTEM_SUITE from disk ($SYSTEM_FIRMWARE), phase $phase"
	qemu_boot "phase$phase" "$timeout" "DOM0KIT-SYS: phase $phase done" \
		-machine q35 -cpu qemu64,+svm,+npt -m 4096 -smp 2 ${fw[@]+"${fw[@]}"} \
		"${SYSTEM_DEVICES[@]}" "${disk[@]}"
}

cmd_system_test() {
	SYSTEM_DIR=$WORKDIR/system/$RELEASE-$OPT_PROFILE-$SYSTEM_SUITE-$SYSTEM_INITRAMFS-$SYSTEM_FIRMWARE
	SYSTEM_OVMF=${DOM0KIT_OVMF:-/usr/share/OVMF}
	[ -f "$STATEDIR/kernelrelease@$OPT_PROFILE" ] && KERNELRELEASE=$(cat "$STATEDIR/kernelrelease@$OPT_PROFILE")
	system_qemu_devices
	if [ -z "$SYSTEM_JUDGE_LOG" ]; then
		[ "$(id -u)" = 0 ] || die "$EXIT_USAGE" "system-test needs root (loop devices, mount, chroot)"
		ensure_deps system-test
		[ -f "$OBJDIR/arch/x86/boot/bzImage" ] ||
			die "$EXIT_USAGE" "no kernel built for $RELEASE with profile $OPT_PROFILE: run dom0kit build --kernel $RELEASE --profile $OPT_PROFILE"
		mkdir -p "$SYSTEM_DIR" "$WORKDIR/logs/system"
		if [ "$SYSTEM_FIRMWARE" = uefi ] && [ ! -f "$SYSTEM_OVMF/OVMF_CODE_4M.fd" ]; then
			die "$EXIT_DEPS" "no OVMF firmware in $SYSTEM_OVMF: apt-get install ovmf"
		fi
		system_find_debs
	fi
	planned system-test "install ${SYSTEM_DEBS[*]##*/} into Debian $SYSTEM_SUITE ($SYSTEM_INITRAMFS), boot it from GRUB under QEMU: $SYSTEM_SCENARIOS" && return 0
	BOOT_REPORT_AS=system-test
	stage_begin system-test
	local t0 phases=1
	t0=$(date +%s)
	if [ -z "$SYSTEM_JUDGE_LOG" ]; then
		rm -f "$WORKDIR/logs/system/"phase*.log "$SYSTEM_DIR/OVMF_VARS.fd"
		# The trap runs under the redirections of whatever step it cuts
		# short: its line goes to the stderr saved here. The half-made
		# disk goes too.
		exec {SYSTEM_STDERR}>&2
		trap system_unmount EXIT
		trap 'system_unmount; rm -f "$SYSTEM_DIR/.disk.raw.tmp"; echo "dom0kit: system-test interrupted" >&"$SYSTEM_STDERR"; exit 130' INT TERM
		system_base
		BOOTDIR=$SYSTEM_DIR
		build_progs
		system_guest_image
		system_make_disk
		# The boots: dom0kit's own trap, which stops QEMU too.
		trap - EXIT
		trap on_interrupt INT TERM
		local how='made now'
		[ -z "$SYSTEM_BASE_CACHED" ] || how='from the cache'
		info "    image ready in $(elapsed "$t0") (base $how)"
	fi
	BOOT_FAILURES=0
	system_boot 1 3600
	judge_phase1
	if [ -z "$SYSTEM_JUDGE_LOG" ] && { sys_wants seize-at-boot || sys_wants pvh-dom0; }; then
		system_boot 2 600
		judge_phase2
		phases=2
		if sys_wants pvh-dom0; then
			system_boot 3 600
			judge_phase3
			phases=3
		fi
	fi
	info "    system-test $SYSTEM_SUITE: $phases boot(s), $(elapsed "$t0") in all"
	stage_end system-test
	[ "$BOOT_FAILURES" -eq 0 ] || die "$EXIT_FAIL" "$BOOT_FAILURES system-test scenario(s) failed"
}
