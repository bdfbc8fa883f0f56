#!/bin/sh
# mkfakesys.sh DIR: build a fake sysfs (DIR/sys), procfs (DIR/proc) and
# xenstore (DIR/xenstore, for --xenstore-root: a node is a file holding its
# value, or a directory of its children; only dom0 runs) that
# match fixtures/machine-a.dump: real-looking device paths, config files
# (so libpci's sysfs method works on it too), driver links,
# reset_method files, pciback's control files as plain files (the tool
# appends to them, so a test can read back every write), the root
# filesystem on the NVMe disk, the console on the iGPU, and the default
# route through br0 -> eno1 (00:1f.6). The doctor's evidence: pciback's
# do_flr (our kernel) and permissive (empty), IOMMU groups
# with reserved regions (RMRRs of the iGPU and the xHCI, the MSI window of
# every group), and the NIC 02:00.0's BARs (MSI-X table and PBA in a BAR3
# of their own).
set -eu
D=$1
S=$D/sys
P=$D/proc
rm -rf "$D"
mkdir -p "$S/devices/pci0000:00" "$S/bus/pci/devices" "$S/bus/pci/drivers" \
	"$P/self" "$P/net" "$P/xen"
: >"$S/bus/pci/drivers_probe"

# BDF PARENT-PATH DRIVER [RESET_METHOD]
dev() {
	bdf=0000:$1 parent=$2 drv=$3
	dir=$S/devices/pci0000:00${parent:+/$parent}/$bdf
	mkdir -p "$dir"
	: >"$dir/driver_override"
	ln -sr "$dir" "$S/bus/pci/devices/$bdf"
	if [ "$drv" != - ]; then
		driver "$drv"
		ln -sr "$S/bus/pci/drivers/$drv" "$dir/driver"
	fi
	if [ $# -ge 4 ]; then printf '%s\n' "$4" >"$dir/reset_method"; fi
}
driver() {
	[ -d "$S/bus/pci/drivers/$1" ] && return 0
	mkdir -p "$S/bus/pci/drivers/$1"
	: >"$S/bus/pci/drivers/$1/bind"
	: >"$S/bus/pci/drivers/$1/unbind"
	: >"$S/bus/pci/drivers/$1/new_id"
}

dev 00:00.0 "" -
dev 00:01.0 "" pcieport
dev 00:02.0 "" i915 "flr"
echo 1 >"$S/devices/pci0000:00/0000:00:02.0/boot_vga"
dev 00:14.0 "" xhci_hcd "pm"
dev 00:1c.0 "" pcieport
dev 00:1c.4 "" pcieport
dev 00:1c.5 "" pcieport
dev 00:1d.0 "" pcieport
dev 00:1f.0 "" -
dev 00:1f.3 "" snd_hda_intel
dev 00:1f.4 "" i801_smbus
dev 00:1f.6 "" e1000e
dev 01:00.0 0000:00:01.0 nouveau "bus"
echo 0 >"$S/devices/pci0000:00/0000:00:01.0/0000:01:00.0/boot_vga"
dev 01:00.1 0000:00:01.0 snd_hda_intel "bus"
dev 02:00.0 0000:00:1c.0 e1000e "flr bus"
dev 03:00.0 0000:00:1c.4 -
dev 04:00.0 0000:00:1c.4/0000:03:00.0 r8169
dev 04:01.0 0000:00:1c.4/0000:03:00.0 firewire_ohci "device_specific bus"
dev 05:00.0 0000:00:1c.5 xhci_hcd "pm bus"
dev 06:00.0 0000:00:1d.0 nvme "flr bus"

# Config space and the attributes libpci's sysfs method reads, so that the
# tool also runs without --dump on this tree (live mode).
DUMP=${XP_FIXTURES:-$(dirname "$0")/fixtures}/machine-a.dump
for link in "$S"/bus/pci/devices/*; do
	bdf=${link##*/}
	dir=$(cd "$link" && pwd -P)
	awk -v want="${bdf#0000:}" '
		/^[0-9a-f]/ && !/^[0-9a-f]+: / { p = ($1 == want); next }
		p && /^[0-9a-f]+: / { sub(/^[0-9a-f]+: /, ""); print }' "$DUMP" |
		perl -ne 's/\s+//g; print pack("H*", $_)' >"$dir/config"
	perl -e 'read(STDIN, $c, 12); my ($v, $d) = unpack("vv", $c);
		printf("0x%04x\n0x%04x\n0x%06x\n", $v, $d, unpack("V", substr($c, 8, 4)) >> 8)' \
		<"$dir/config" | {
		read -r v; read -r d; read -r c
		echo "$v" >"$dir/vendor"; echo "$d" >"$dir/device"; echo "$c" >"$dir/class"
	}
	echo 0 >"$dir/irq"
	for _ in 1 2 3 4 5 6 7; do echo "0x0000000000000000 0x0000000000000000 0x0000000000000000"; done >"$dir/resource"
done

driver pciback
: >"$S/bus/pci/drivers/pciback/new_slot"
: >"$S/bus/pci/drivers/pciback/remove_slot"
: >"$S/bus/pci/drivers/pciback/slots"
: >"$S/bus/pci/drivers/pciback/do_flr"
: >"$S/bus/pci/drivers/pciback/permissive"

# IOMMU groups: GROUP BDF...; the first line of each is the MSI window.
group() {
	g=$1
	shift
	mkdir -p "$S/kernel/iommu_groups/$g/devices"
	echo "0x00000000fee00000 0x00000000feefffff msi" >"$S/kernel/iommu_groups/$g/reserved_regions"
	for b in "$@"; do
		ln -sr "$S/bus/pci/devices/$b" "$S/kernel/iommu_groups/$g/devices/$b"
		ln -sr "$S/kernel/iommu_groups/$g" "$(cd "$S/bus/pci/devices/$b" && pwd -P)/iommu_group"
	done
}
group 0 0000:00:00.0
group 1 0000:00:01.0 0000:01:00.0 0000:01:00.1
group 2 0000:00:02.0
echo "0x000000003b000000 0x000000003f7fffff direct-relaxable" >>"$S/kernel/iommu_groups/2/reserved_regions"
group 3 0000:00:14.0
echo "0x000000003e2e0000 0x000000003e2fffff direct" >>"$S/kernel/iommu_groups/3/reserved_regions"
group 4 0000:00:1c.0 0000:02:00.0
group 5 0000:05:00.0 0000:00:1c.5
group 6 0000:06:00.0 0000:00:1d.0
# 02:00.0 (82574L): BAR0 128 KiB registers, BAR3 16 KiB MSI-X only.
{
	echo "0x00000000f7200000 0x00000000f721ffff 0x0000000000040200"
	echo "0x0000000000000000 0x0000000000000000 0x0000000000000000"
	echo "0x0000000000000000 0x0000000000000000 0x0000000000000000"
	echo "0x00000000f7220000 0x00000000f7223fff 0x0000000000040200"
	for _ in 1 2 3; do echo "0x0000000000000000 0x0000000000000000 0x0000000000000000"; done
} >"$S/devices/pci0000:00/0000:00:1c.0/0000:02:00.0/resource"

# Root filesystem: nvme0n1p2 on 06:00.0.
nvme=$S/devices/pci0000:00/0000:00:1d.0/0000:06:00.0/nvme/nvme0/nvme0n1
mkdir -p "$nvme/nvme0n1p2" "$S/dev/block" "$S/class/block"
ln -sr "$nvme/nvme0n1p2" "$S/dev/block/259:2"
ln -sr "$nvme/nvme0n1p2" "$S/class/block/nvme0n1p2"
cat >"$P/self/mountinfo" <<'MI'
22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
MI

# Console: VT on the iGPU's framebuffer.
mkdir -p "$S/class/tty/console" "$S/class/graphics" "$S/devices/virtual/graphics/fb0"
echo tty0 >"$S/class/tty/console/active"
ln -sr "$S/devices/virtual/graphics/fb0" "$S/class/graphics/fb0"
ln -sr "$S/devices/pci0000:00/0000:00:02.0" "$S/devices/virtual/graphics/fb0/device"

# Network: default route on br0, whose port is eno1 (00:1f.6).
mkdir -p "$S/class/net" "$S/devices/virtual/net/br0" \
	"$S/devices/pci0000:00/0000:00:1f.6/net/eno1" \
	"$S/devices/pci0000:00/0000:00:1c.0/0000:02:00.0/net/enp2s0"
ln -sr "$S/devices/virtual/net/br0" "$S/class/net/br0"
ln -sr "$S/devices/pci0000:00/0000:00:1f.6/net/eno1" "$S/class/net/eno1"
ln -sr "$S/devices/pci0000:00/0000:00:1f.6" "$S/devices/pci0000:00/0000:00:1f.6/net/eno1/device"
ln -sr "$S/devices/pci0000:00/0000:00:1f.6/net/eno1" "$S/devices/virtual/net/br0/lower_eno1"
ln -sr "$S/devices/pci0000:00/0000:00:1c.0/0000:02:00.0/net/enp2s0" "$S/class/net/enp2s0"
ln -sr "$S/devices/pci0000:00/0000:00:1c.0/0000:02:00.0" \
	"$S/devices/pci0000:00/0000:00:1c.0/0000:02:00.0/net/enp2s0/device"
cat >"$P/net/route" <<'RT'
Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
br0	00000000	0101A8C0	0003	0	0	0	00000000	0	0	0
enp2s0	0002A8C0	00000000	0001	0	0	0	00FFFFFF	0	0	0
RT
: >"$P/net/ipv6_route"
echo control_d >"$P/xen/capabilities"
mkdir -p "$D/xenstore/local/domain/0"
printf Domain-0 >"$D/xenstore/local/domain/0/name"
