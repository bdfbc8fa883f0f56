#!/bin/bash
# The other kernel lines. In make check: 6.1 and 7.2 fetch, take their
# series with --fuzz=0, pass the config audit of the qemu profile and
# compile every file our patches touch (W=1, in an object dir
# configured as qemu plus what the touched files need to be built at all;
# each touched .c file compiled afresh, no warning in a file they touch).
# With
# DOM0KIT_CHECK_ALL_LINES=1 (make check-lines): every line is built in
# full and boot-tested.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/check-env.sh"

lines="6.1 7.2"
[ -z "${DOM0KIT_CHECK_ALL_LINES:-}" ] || lines="6.12 6.1 7.2"
# Two cases per line; three with every line booted (the third: Debian
# trixie's Xen 4.20 and its tools).
per_line=2
[ -z "${DOM0KIT_CHECK_ALL_LINES:-}" ] || per_line=3
test_plan $((per_line * $(wc -w <<<"$lines")))

# The C and header files the series of LINE touches.
touched_files() {
	local line=$1 name f
	while read -r name _; do
		case $name in '' | '#'*) continue ;; esac
		f=$TOP/patches/$line/$name
		[ -f "$f" ] || f=$TOP/patches/common/$name
		sed -n 's@^+++ b/\(.*\.[ch]\)$@\1@p' "$f"
	done <"$TOP/patches/$line/series" | sort -u
}
# ... as kbuild single-object targets (a whole directory such as
# arch/x86/kernel/ would cost minutes of W=1 compiling of files we do not
# touch).
touched_objects() { touched_files "$1" | sed -n 's@^\(.*\)\.c$@\1.o@p'; }
# What the qemu profile leaves out but the files our patches touch need to
# be compiled at all: EFI (secureboot.c of 0013-0014), lockdown
# (lockdown.c), phram and slram (0015). The W=1 check builds in an object
# dir of its own, configured as qemu plus these; every touched file must
# then be compiled (add here what a new patch needs).
TOUCHED_CONFIG="CONFIG_EFI=y CONFIG_SECURITY=y CONFIG_SECURITYFS=y CONFIG_SECURITY_LOCKDOWN_LSM=y
CONFIG_LOCK_DOWN_IN_EFI_SECURE_BOOT=y CONFIG_MTD=y CONFIG_MTD_PHRAM=m CONFIG_MTD_SLRAM=m"
export -f touched_files touched_objects
export TOUCHED_CONFIG

for line in $lines; do
	export line
	test_expect_success "$line: fetch, series with --fuzz=0, config audit" '
		"$DOM0KIT" --workdir "$CHECK_WORK" --kernel $line --profile qemu fetch >out &&
		"$DOM0KIT" --workdir "$CHECK_WORK" --kernel $line --profile qemu patch >out &&
		"$DOM0KIT" --workdir "$CHECK_WORK" --kernel $line --profile qemu configure >out &&
		grep -E "audit: [0-9]+ requested symbols hold|configure: inputs unchanged" out
	'
	if [ -n "${DOM0KIT_CHECK_ALL_LINES:-}" ]; then
		test_expect_success "$line: full build and every boot-test scenario" '
			"$DOM0KIT" --workdir "$CHECK_WORK" --outdir "$CHECK_OUT" --kernel $line --profile qemu build >out &&
			"$DOM0KIT" --workdir "$CHECK_WORK" --kernel $line --profile qemu boot-test >out 2>err || { cat out err; exit 1; }
		'
		test_expect_success "$line: smoke, seize and passthrough under Debian trixie Xen 4.20 with its tools" '
			"$DOM0KIT" --workdir "$CHECK_WORK" --kernel $line --profile qemu boot-test --xen=4.20 \
				--scenario=smoke,seize,passthrough >out 2>err || { cat out err; exit 1; }
		'
	else
		test_expect_success "$line: the files our patches touch compile with W=1 and no warning" '
			rel=$(awk -v l=$line "\$1 == l {print \$2}" "$TOP/patches/releases") &&
			src=$CHECK_WORK/src/linux-$rel obj=$CHECK_WORK/build/linux-$rel-qemu-touched &&
			objs=$(touched_objects $line) && test -n "$objs" &&
			touched_files $line >ours && grep "\.c$" ours >ours.c &&
			mkdir -p "$obj" && tr " " "\n" <<<"$TOUCHED_CONFIG" >touched.config &&
			cat "$CHECK_WORK/build/linux-$rel-qemu/.config" touched.config >"$obj/.config.new" &&
			if ! cmp -s "$obj/.config.new" "$obj/.config.in"; then
				cp "$obj/.config.new" "$obj/.config" && mv "$obj/.config.new" "$obj/.config.in" &&
				make -C "$src" O="$obj" LOCALVERSION=-dom0 olddefconfig >prep.log 2>&1 || { tail -n 30 prep.log; exit 1; }
			fi &&
			while read -r c; do grep -qx "$c" "$obj/.config" || { echo "$c did not land in the W=1 config"; exit 1; }; done <touched.config &&
			make -C "$src" O="$obj" -j"$(nproc)" LOCALVERSION=-dom0 modules_prepare >prep.log 2>&1 || { tail -n 30 prep.log; exit 1; }
			# The work dir is kept between runs and kbuild would compile
			# nothing (and warn about nothing) the second time: the objects
			# of the files we touch go first, and each must be compiled.
			while read -r f; do rm -f "$obj/${f%.c}.o"; done <ours.c &&
			make -C "$src" O="$obj" -j"$(nproc)" LOCALVERSION=-dom0 W=1 $objs >build.log 2>&1 || { tail -n 30 build.log; exit 1; }
			while read -r f; do
				grep -E "^  CC( \[M\])? +${f%.c}\.o$" build.log || { echo "$f was not compiled (TOUCHED_CONFIG lacks what it needs?):"; cat build.log; exit 1; }
			done <ours.c &&
			# W=1 warnings in files we do not touch are upstream'"'"'s, not ours.
			! grep -E "(warning|error):" build.log | grep -F -f ours
		'
	fi
done
test_done
