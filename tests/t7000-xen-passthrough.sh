#!/bin/bash
# tools/xen-passthrough: build, install, unit tests and CLI tests under
# ASan+UBSan, bounded fuzzing, man page, static build.
. "$(dirname "$0")/test-lib.sh"
test_plan 22

XPT=$TOP/tools/xen-passthrough
export XPT
FUZZ_SECONDS=${XP_FUZZ_SECONDS:-10}

# Checks that must be able to fail. A body runs with set -e, which never
# stops on `! cmd` and is ignored inside `if`: a "no warning" step that is
# not the body's last line must be one of these (issue 19, item 5).
# no_warnings LOG: LOG (compiler output) has no warning; shows them if so.
no_warnings() {
	if grep -i "warning:" "$1"; then echo "^ warnings in $1"; return 1; fi
}
# man_clean PAGE: groff renders PAGE with every warning on (-ww) and says
# nothing at all on stderr (groff exits 0 after a warning).
man_clean() {
	groff -man -Tutf8 -ww -z "$1" 2>"$TRASH/groff.log" || { cat "$TRASH/groff.log"; return 1; }
	if grep . "$TRASH/groff.log"; then return 1; fi
}

# Objects go to a fresh build dir and -B remakes everything (the Makefile's
# .SECONDARY: would let a binary newer than the sources stand), so every
# file is compiled (and can warn) even when the tree was built before.
test_expect_success 'build with -Wall -Wextra -Werror (gcc)' '
	make -B -C "$XPT" -j1 B="$TRASH/build" xen-passthrough >build.log 2>&1 || { cat build.log; false; }
	grep -q "src/main.c" build.log
	no_warnings build.log
	"$XPT/xen-passthrough" --version | grep -q "^xen-passthrough "
'

test_expect_success 'the build warning check catches a warning' '
	printf "src/x.c:1:5: warning: unused variable\n" >w.log
	test_must_fail no_warnings w.log
'

test_expect_success 'make install puts binary and man page in place' '
	make -C "$XPT" install DESTDIR="$TRASH/dest" PREFIX=/usr >/dev/null
	test -x "$TRASH/dest/usr/sbin/xen-passthrough"
	test -f "$TRASH/dest/usr/share/man/man8/xen-passthrough.8"
'

if command -v groff >/dev/null; then
	test_expect_success 'man page renders without warnings' '
		man_clean "$XPT/xen-passthrough.8"
		grep -q "^.SH EXIT STATUS" "$XPT/xen-passthrough.8"
	'
	test_expect_success 'the man page check catches an undefined macro (a copy with .XYZZY)' '
		sed "2i .XYZZY" "$XPT/xen-passthrough.8" >bad.8
		test_must_fail man_clean bad.8
		grep -q "macro .XYZZY. not defined" groff.log
	'
else
	test_skip 'man page renders without warnings: no groff'
	test_skip 'the man page check catches an undefined macro: no groff'
fi

test_expect_success 'sanitizer (ASan+UBSan) and fuzzer builds' '
	make -C "$XPT" -j1 check-build >cb.log 2>&1 || { tail -n 30 cb.log; false; }
'

mkfake() { sh "$XPT/tests/mkfakesys.sh" "$TRASH/fake"; }

for t in test_caps test_dump test_spec test_persist test_analysis test_json test_xenstore test_doctor; do
	test_expect_success "unit tests under ASan+UBSan: $t" '
		mkfake
		cd "$XPT"
		rc=0; XP_FAKE="$TRASH/fake" build/san/'"$t"' >"$TRASH/'"$t"'.out" 2>&1 || rc=$?
		cat "$TRASH/'"$t"'.out"
		[ $rc -eq 0 ] && grep -q "^ok " "$TRASH/'"$t"'.out" && ! grep -q "^not ok" "$TRASH/'"$t"'.out"
	'
done

test_expect_success 'CLI: list/check/xl-config/assign/release/persist and bad input on a fake sysfs' '
	cd "$XPT"
	rc=0; sh tests/cli.sh build/san/xen-passthrough >"$TRASH/cli.out" 2>&1 || rc=$?
	cat "$TRASH/cli.out"
	[ $rc -eq 0 ]
	plan=$(sed -n "s/^1\.\.//p" "$TRASH/cli.out")
	[ "$plan" -ge 34 ]
	[ "$(grep -c "^ok " "$TRASH/cli.out")" -eq "$plan" ]
'

test_expect_success 'bad input: unknown device gives one line and exit 1' '
	rc=0; "$XPT/xen-passthrough" --dump "$XPT/tests/fixtures/machine-a.dump" check 0000:7f:00.0 2>err || rc=$?
	[ $rc -eq 1 ] && one_line err && grep -q "^xen-passthrough: no PCI device" err
'

test_expect_success 'bad input: malformed specifier gives one line and exit 2' '
	rc=0; "$XPT/xen-passthrough" --dump "$XPT/tests/fixtures/machine-a.dump" check "01;00.0" 2>err || rc=$?
	[ $rc -eq 2 ] && one_line err
'

for f in fuzz_dump fuzz_spec fuzz_persist fuzz_caps; do
	test_expect_success "fuzzing ${FUZZ_SECONDS}s: $f (no crash, leak or sanitizer report)" '
		cd "$XPT"
		FUZZERS='"$f"' FUZZ_SECONDS='"$FUZZ_SECONDS"' sh tests/run-fuzz.sh >"$TRASH/'"$f"'.log" 2>&1 ||
			{ grep -E "ERROR|SUMMARY|==[0-9]+==" "$TRASH/'"$f"'.log" | head -n 20; false; }
		grep -q "^Done [0-9]* runs" "$TRASH/'"$f"'.log"
	'
done

if ls /usr/lib/*/libpci.a /usr/lib/libpci.a >/dev/null 2>&1; then
	test_expect_success 'static binary for the initramfs' '
		make -C "$XPT" -j1 static >/dev/null
		file "$XPT/xen-passthrough-static" | grep -q "statically linked"
	'
else
	test_skip 'static binary: no libpci.a on this system (Debian libpci-dev ships none)'
fi

test_done
