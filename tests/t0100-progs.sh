#!/bin/bash
# tests/progs: the static programs used inside the boot tests (edu-probe,
# kvm-smoke, vfio-edu).  Here they run on the build host, where there is
# no edu device and no vfio: every failure path must give exactly one
# stderr line naming what is missing.  Fake sysfs trees (--sysfs-root)
# drive the edu register checks and the vfio precondition messages; a
# plain file as resource0 echoes writes where the device complements them.
# Bodies are single-quoted on purpose (eval'd later, as in git's tests),
# so to shellcheck their variables look unused and the helpers unreachable:
# shellcheck disable=SC2016,SC2034,SC2317
# shellcheck source=tests/test-lib.sh
. "$(dirname "$0")/test-lib.sh"
test_plan 37

PROGS="$TOP/tests/progs"
BIN="$TRASH/bin"
SAN="$TRASH/san"
EDU=0000:00:04.0

# expect_fail RC PATTERN CMD...: CMD exits RC ("any" = any nonzero) with
# exactly one stderr line matching PATTERN, and without sanitizer reports.
expect_fail() {
	local want=$1 pat=$2 rc=0
	shift 2
	"$@" >out 2>err || rc=$?
	cat out err
	if [ "$want" = any ]; then
		[ "$rc" -ne 0 ] || { echo "exit 0, expected failure"; return 1; }
	else
		[ "$rc" -eq "$want" ] || { echo "exit $rc, expected $want"; return 1; }
	fi
	one_line err || return 1
	test_grep -e "$pat" err || return 1
	! grep -E 'Sanitizer|runtime error' err
}

# fake_dev ROOT BDF VENDOR DEVICE: a PCI device directory in a fake sysfs.
fake_dev() {
	local d="$1/bus/pci/devices/$2"
	mkdir -p "$d" && echo "$3" >"$d/vendor" && echo "$4" >"$d/device"
}

# A tree with a decoy device sorted before the edu one; resource0 is FILL
# ("zero" or "id": first word 0x010000ed little-endian) of SIZE bytes.
edu_tree() {
	local root=$1 fill=$2 size=${3:-4096} res
	rm -rf "$root" &&
	fake_dev "$root" 0000:00:02.0 0x8086 0x11e8 &&
	fake_dev "$root" "$EDU" 0x1234 0x11e8 || return 1
	res="$root/bus/pci/devices/$EDU/resource0"
	if [ "$fill" = id ]; then
		printf '\355\000\000\001' >"$res" &&
		head -c $((size - 4)) /dev/zero >>"$res"
	else
		head -c "$size" /dev/zero >"$res"
	fi
}

# vfio_tree ROOT DRIVER: edu_tree plus an IOMMU group and a driver link
# ("" for an unbound device), laid out as sysfs has them.
vfio_tree() {
	local d="$1/bus/pci/devices/$EDU"
	edu_tree "$1" zero &&
	ln -s ../../../kernel/iommu_groups/7 "$d/iommu_group" || return 1
	[ -z "$2" ] || ln -s "../../../bus/pci/drivers/$2" "$d/driver"
}

# NOTE: test-lib runs bodies inside "if (...)", where bash ignores set -e,
# so every body chains its steps with && (and loops use || exit 1).

test_expect_success 'programs build static with -Werror (gcc)' '
	{ make -j1 -C "$PROGS" O="$BIN" >build.log 2>&1 || { cat build.log; false; }; } &&
	grep -e "-Werror" build.log | grep -e "-static" | grep -q -e "-std=c11" &&
	for p in edu-probe kvm-smoke vfio-edu; do
		test -x "$BIN/$p" || exit 1
		readelf -lW "$BIN/$p" >elf || exit 1
		! grep -q INTERP elf || { echo "$p is dynamic"; exit 1; }
	done
'

if command -v clang >/dev/null; then
	test_expect_success 'programs build with clang -Werror too' '
		{ make -j1 -C "$PROGS" CC=clang O="$TRASH/clang" >build.log 2>&1 ||
			{ cat build.log; false; }; } &&
		grep -q "^clang .*-Werror" build.log &&
		test -x "$TRASH/clang/vfio-edu"
	'
else
	test_skip 'clang not installed'
fi

test_expect_success 'sanitize target builds ASan+UBSan variants' '
	{ make -j1 -C "$PROGS" O="$SAN" sanitize >build.log 2>&1 ||
		{ cat build.log; false; }; } &&
	grep -q -e "-fsanitize=address,undefined" build.log &&
	test -x "$SAN/edu-probe-san" && test -x "$SAN/kvm-smoke-san" &&
	test -x "$SAN/vfio-edu-san"
'

test_expect_success 'usage errors exit 2 with one line' '
	expect_fail 2 "--vcpus must be a number" "$BIN/kvm-smoke" --vcpus 0 &&
	expect_fail 2 "--vcpus must be a number" "$BIN/kvm-smoke" --vcpus 2x &&
	expect_fail 2 "unknown option" "$BIN/edu-probe" --bogus &&
	expect_fail 2 "bad or extra BDF" "$BIN/vfio-edu" "$EDU" "$EDU"
'

# Every runtime case twice: the static binaries and the sanitized ones.
for v in plain san; do
	if [ $v = plain ]; then P=$BIN; S=; else P=$SAN; S=-san; fi
	KVM="$P/kvm-smoke$S" EDUP="$P/edu-probe$S" VFIO="$P/vfio-edu$S"
	export KVM EDUP VFIO

	test_expect_success "kvm-smoke: missing device named ($v)" '
		expect_fail 1 "/nodev/kvm: No such file or directory \\(is kvm_amd/kvm_intel loaded\\?\\)" \
			"$KVM" --kvm-dev /nodev/kvm &&
		! test -s out
	'
	test_expect_success "kvm-smoke: non-KVM device fails the API ioctl ($v)" '
		expect_fail 1 "/dev/null: KVM_GET_API_VERSION: Inappropriate ioctl" \
			"$KVM" --kvm-dev /dev/null
	'
	# The host may or may not offer KVM: either 3 vCPUs really run, or
	# it fails in one line naming /dev/kvm.
	test_expect_success "kvm-smoke on this host ($v)" '
		if test -c /dev/kvm && test -r /dev/kvm && test -w /dev/kvm; then
			{ "$KVM" --vcpus 3 >out 2>err || { cat out err; false; }; } &&
			! test -s err &&
			printf "KVM-VCPU %d OK\n" 0 1 2 >expect &&
			echo "KVM-SMOKE OK vcpus=3" >>expect &&
			test_cmp expect out
		else
			expect_fail 1 "/dev/kvm: " "$KVM"
		fi
	'

	test_expect_success "edu-probe: no edu device ($v)" '
		rm -rf empty && mkdir -p empty/bus/pci/devices &&
		fake_dev empty 0000:00:01.0 0x1234 0x1111 &&
		expect_fail 1 "no 1234:11e8 \(edu\) PCI device in empty/bus/pci/devices" \
			"$EDUP" --sysfs-root empty &&
		expect_fail 1 "nosys/bus/pci/devices: No such file" \
			"$EDUP" --sysfs-root nosys &&
		if ! grep -qsx 0x11e8 /sys/bus/pci/devices/*/device; then
			expect_fail 1 "no 1234:11e8 .* in /sys/bus/pci/devices" "$EDUP"
		fi
	'
	test_expect_success "edu-probe: explicit BDF without resource0 ($v)" '
		edu_tree t zero &&
		expect_fail 1 "t/bus/pci/devices/0000:00:09.0/resource0: No such file or directory" \
			"$EDUP" --sysfs-root t 0000:00:09.0
	'
	test_expect_success "edu-probe: short resource0 is refused, no SIGBUS ($v)" '
		edu_tree t id 100 &&
		expect_fail 1 "resource0: only 100 bytes" "$EDUP" --sysfs-root t
	'
	test_expect_success "edu-probe: wrong ID reports EDU-ID-BAD ($v)" '
		edu_tree t zero &&
		expect_fail 1 "ID register reads 0x00000000, expected 0x010000ed" \
			"$EDUP" --sysfs-root t &&
		echo "EDU-ID-BAD 0x00000000" >expect &&
		test_cmp expect out
	'
	test_expect_success "edu-probe: a file does not complement: LIVENESS FAIL ($v)" '
		edu_tree t id &&
		expect_fail 1 "liveness register returned 0x12345678 for 0x12345678" \
			"$EDUP" --sysfs-root t "$EDU" &&
		printf "%s\n" "EDU-ID 0x010000ed" \
			"EDU-LIVENESS FAIL wrote 0x12345678 read 0x12345678" >expect &&
		test_cmp expect out &&
		# The write really went through the shared mapping to offset 4.
		od -An -tx1 -j4 -N4 "t/bus/pci/devices/$EDU/resource0" | tr -d " " >word &&
		echo 78563412 >expect && test_cmp expect word
	'

	test_expect_success "vfio-edu: no edu device ($v)" '
		rm -rf empty && mkdir -p empty/bus/pci/devices &&
		expect_fail 1 "no 1234:11e8 \(edu\) PCI device" "$VFIO" --sysfs-root empty &&
		expect_fail 1 "empty/bus/pci/devices/0000:00:07.0: No such file" \
			"$VFIO" --sysfs-root empty 0000:00:07.0 &&
		if ! grep -qsx 0x11e8 /sys/bus/pci/devices/*/device; then
			expect_fail 1 "no 1234:11e8" "$VFIO"
		fi
	'
	# Every count from 1 to 1000 and nothing else; usage errors come
	# before any sysfs lookup, so no tree is needed.
	test_expect_success "vfio-edu: bad --msi counts and option clashes are usage errors ($v)" '
		for c in "" 0 00 -1 +5 " 5" x 5x 0x10 1001 4294967301 \
			99999999999999999999999; do
			expect_fail 2 "^vfio-edu: --msi needs a count from 1 to 1000 \\(usage: vfio-edu \\[--iommufd \\| --noiommu\\] \\[--msi N\\]" \
				"$VFIO" --sysfs-root nosys --msi "$c" || exit 1
		done &&
		expect_fail 2 "--msi needs a count" "$VFIO" --sysfs-root nosys --msi &&
		expect_fail 2 "--iommufd and --noiommu exclude each other" \
			"$VFIO" --noiommu --iommufd --sysfs-root nosys &&
		"$VFIO" --help >out &&
		echo "usage: vfio-edu [--iommufd | --noiommu] [--msi N] [--sysfs-root DIR] [BDF]" >expect &&
		test_cmp expect out
	'
	test_expect_success "vfio-edu: device without IOMMU group ($v)" '
		edu_tree t zero &&
		expect_fail 1 "$EDU has no IOMMU group: boot with intel_iommu=on" \
			"$VFIO" --sysfs-root t &&
		expect_fail 1 "$EDU has no IOMMU group" "$VFIO" --iommufd --sysfs-root t &&
		expect_fail 1 "$EDU has no IOMMU group: for --noiommu, boot with vfio.enable_unsafe_noiommu_mode=1 and bind it to vfio-pci" \
			"$VFIO" --noiommu --msi 3 --sysfs-root t
	'
	# A valid --msi (1 and 1000 included) gets past parsing to sysfs.
	test_expect_success "vfio-edu: device not bound to any driver ($v)" '
		vfio_tree t "" &&
		expect_fail 1 "$EDU is not bound to any driver" "$VFIO" --sysfs-root t &&
		expect_fail 1 "$EDU is not bound to any driver" "$VFIO" --msi 1 --sysfs-root t &&
		expect_fail 1 "$EDU is not bound to any driver" \
			"$VFIO" --noiommu --msi 1000 --sysfs-root t
	'
	test_expect_success "vfio-edu: device bound to another driver ($v)" '
		vfio_tree t edu &&
		expect_fail 1 "$EDU is bound to edu, not vfio-pci" \
			"$VFIO" --sysfs-root t "$EDU" &&
		expect_fail 1 "$EDU is bound to edu, not vfio-pci" \
			"$VFIO" --iommufd --sysfs-root t
	'
	if [ -e /dev/vfio/vfio ]; then
		test_skip "vfio-edu: /dev/vfio/vfio exists here ($v)"
	else
		test_expect_success "vfio-edu: vfio not loaded ($v)" '
			vfio_tree t vfio-pci &&
			expect_fail 1 "/dev/vfio/vfio: No such file or directory \(vfio module not loaded\?\)" \
				"$VFIO" --sysfs-root t &&
			! test -s out
		'
	fi
	# The fake tree says group 7 belongs to vfio-pci; without a
	# /dev/vfio/noiommu-7 this kernel gives it no no-IOMMU group.  That
	# comes before /dev/vfio/vfio, so it holds whether vfio is loaded or not.
	if [ -e /dev/vfio/noiommu-7 ]; then
		test_skip "vfio-edu --noiommu: /dev/vfio/noiommu-7 exists here ($v)"
	else
		test_expect_success "vfio-edu --noiommu: no noiommu group node exits 77 ($v)" '
			vfio_tree t vfio-pci &&
			expect_fail 77 "^vfio-edu: /dev/vfio/noiommu-7: No such file or directory \\((boot with vfio.enable_unsafe_noiommu_mode=1|the device is behind an IOMMU: .*)\\): --noiommu not supported here$" \
				"$VFIO" --noiommu --msi 2 --sysfs-root t &&
			! test -s out
		'
	fi
	if [ -e /dev/iommu ]; then
		test_skip "vfio-edu --iommufd: /dev/iommu exists here ($v)"
	else
		test_expect_success "vfio-edu --iommufd: no iommufd exits 77 ($v)" '
			vfio_tree t vfio-pci &&
			expect_fail 77 "/dev/iommu: .*--iommufd not supported here" \
				"$VFIO" --iommufd --sysfs-root t
		'
	fi
done

test_expect_success 'mmio: writes and reads a BAR0 register through resource0; bad input is refused' '
	make -s -C "$TOP/tests/progs" O="$TRASH/mmio-bin" >/dev/null &&
	mkdir -p mfs/bus/pci/devices/0000:01:00.0 &&
	head -c 16384 /dev/zero >mfs/bus/pci/devices/0000:01:00.0/resource0 &&
	"$TRASH/mmio-bin/mmio" --sysfs-root mfs 0000:01:00.0 0x2800 0x12345000 | grep -qx "MMIO 0000:01:00.0 0x2800 0x12345000" &&
	"$TRASH/mmio-bin/mmio" --sysfs-root mfs 0000:01:00.0 0x2800 | grep -qx "MMIO 0000:01:00.0 0x2800 0x12345000" &&
	rc=0 && "$TRASH/mmio-bin/mmio" --sysfs-root mfs 0000:01:00.0 0x2802 2>err || rc=$? &&
	test $rc = 2 && grep -q "not 32-bit aligned" err &&
	rc=0 && "$TRASH/mmio-bin/mmio" --sysfs-root mfs 0000:01:00.0 0x8000 2>err || rc=$? &&
	test $rc = 1 && grep -q "smaller than the register offset" err &&
	rc=0 && "$TRASH/mmio-bin/mmio" --sysfs-root mfs 0000:02:00.0 0 2>err || rc=$? &&
	test $rc = 1 && grep -q "cannot open" err
'

test_done
