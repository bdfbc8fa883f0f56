#!/bin/sh
# mkqemusys.sh REC DIR: the fake tree of a recording made by
# fixtures/record-qemu.sh on the system test's QEMU devices: DIR/sys (each
# device's directory at its real path, with config, vendor, device,
# class, subsystem IDs, irq, resource, reset_method as recorded, an empty
# driver_override, its driver link; IOMMU groups with their reserved
# regions; ACPI's DMAR table; pciback's files, empty; xen_pciback's
# parameters), DIR/proc
# (mountinfo, net/route, cmdline, xen/capabilities when recorded in dom0),
# DIR/kmsg (the kernel log as /dev/kmsg records) and DIR/xenstore (dom0
# only). Driver control files are plain files, as in mkfakesys.sh.
set -eu
REC=$1
D=$2
S=$D/sys
P=$D/proc
rm -rf "$D"
mkdir -p "$S/bus/pci/devices" "$S/bus/pci/drivers" "$P/self" "$P/net" "$D/xenstore"
: >"$S/bus/pci/drivers_probe"
driver() {
	[ -d "$S/bus/pci/drivers/$1" ] && return 0
	mkdir -p "$S/bus/pci/drivers/$1"
	for f in bind unbind new_id; do : >"$S/bus/pci/drivers/$1/$f"; done
}
# rec KEY BDF: the recorded value of "XPREC BDF KEY VALUE".
rec() { awk -v b="$2" -v k="$1" '$1 == "XPREC" && $2 == b && $3 == k { sub(/^XPREC [^ ]+ [^ ]+ ?/, ""); print; exit }' "$REC"; }
awk '$1 == "XPDEV" { print $2 }' "$REC" | while read -r bdf; do
	dir=$S/$(rec path "$bdf")
	mkdir -p "$dir"
	ln -s "$(realpath --relative-to="$S/bus/pci/devices" "$dir")" "$S/bus/pci/devices/$bdf"
	for a in vendor device class subsystem_vendor subsystem_device irq; do rec "$a" "$bdf" >"$dir/$a"; done
	: >"$dir/driver_override"
	awk -v b="$bdf" '$1 == "XPRES" && $2 == b { print $3, $4, $5 }' "$REC" >"$dir/resource"
	awk -v b="$bdf" '$1 == "XPCFG" && $2 == b { $1 = $2 = ""; print }' "$REC" |
		perl -ne 's/\s+//g; print pack("H*", $_)' >"$dir/config"
	if ! grep -q "^XPREC $bdf reset_method-absent$" "$REC"; then
		rec reset_method "$bdf" >"$dir/reset_method"
	fi
	drv=$(rec driver "$bdf")
	if [ -n "$drv" ]; then
		driver "$drv"
		ln -s "$(realpath --relative-to="$dir" "$S/bus/pci/drivers/$drv")" "$dir/driver"
	fi
	g=$(rec iommu_group "$bdf")
	if [ -n "$g" ]; then
		mkdir -p "$S/kernel/iommu_groups/$g/devices"
		ln -s "$(realpath --relative-to="$dir" "$S/kernel/iommu_groups/$g")" "$dir/iommu_group"
		ln -s "$(realpath --relative-to="$S/kernel/iommu_groups/$g/devices" "$dir")" \
			"$S/kernel/iommu_groups/$g/devices/$bdf"
	fi
done
awk '$1 == "XPRR" { print $2 }' "$REC" | sort -u | while read -r g; do
	awk -v g="$g" '$1 == "XPRR" && $2 == g { print $3, $4, $5 }' "$REC" \
		>"$S/kernel/iommu_groups/$g/reserved_regions"
done
# pciback: its files as the kernel listed them (control files empty).
pb=$(awk '$1 == "XPREC" && $2 == "pciback" && $3 != "ls:" { $1 = $2 = ""; print }' "$REC")
if [ -n "$pb" ]; then
	driver pciback
	for f in $pb; do [ "$f" = module ] || : >"$S/bus/pci/drivers/pciback/$f"; done
	mkdir -p "$S/module/xen_pciback/parameters"
	awk '$1 == "XPREC" && $2 == "param" && $4 != "(null)" { v = $0; sub(/^XPREC param [^ ]+ ?/, "", v); print $3, v }' "$REC" |
		while read -r name value; do printf '%s\n' "$value" >"$S/module/xen_pciback/parameters/$name"; done
	# The devices pciback holds are its slots.
	for l in "$S"/bus/pci/devices/*; do
		[ "$(readlink "$l/driver" 2>/dev/null | sed 's|.*/||')" = pciback ] && echo "${l##*/}"
	done >"$S/bus/pci/drivers/pciback/slots"
fi
# ACPI's DMAR table (RMAD in dom0: Xen renames it so dom0 does not use it).
for t in DMAR RMAD; do
	if grep -q "^XPACPI $t " "$REC"; then
		mkdir -p "$S/firmware/acpi/tables"
		awk -v t="$t" '$1 == "XPACPI" && $2 == t { $1 = $2 = ""; print }' "$REC" |
			perl -ne 's/\s+//g; print pack("H*", $_)' >"$S/firmware/acpi/tables/$t"
	fi
done
awk '$1 == "XPMI" { sub(/^XPMI /, ""); print }' "$REC" >"$P/self/mountinfo"
awk '$1 == "XPROUTE" { sub(/^XPROUTE /, ""); print }' "$REC" >"$P/net/route"
: >"$P/net/ipv6_route"
awk '$1 == "XPREC" && $2 == "cmdline" { sub(/^XPREC cmdline /, ""); print }' "$REC" >"$P/cmdline"
awk '/^XPKMSG / { sub(/^XPKMSG /, ""); print }' "$REC" >"$D/kmsg"
caps=$(awk '$1 == "XPREC" && $2 == "caps" { print $3 }' "$REC")
if [ -n "$caps" ]; then
	mkdir -p "$P/xen" "$D/xenstore/local/domain/0"
	echo "$caps" >"$P/xen/capabilities"
	printf Domain-0 >"$D/xenstore/local/domain/0/name"
fi
