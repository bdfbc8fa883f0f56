#!/bin/bash
# releases: pinned against newest per line from recorded releases.json
# files (offline, --no-debian), --update rewrites only the pins, bad data
# is one clear error; one case asks Debian's mirror for real.
. "$(dirname "$0")/test-lib.sh"
test_plan 12

FIX=$TOP/tests/fixtures/releases
export FIX
# rel FIXTURE ARGS...: releases on a recorded file against a copy of the pins.
rel() {
	local fixture=$1; shift
	DOM0KIT_RELEASES_FILE=$TRASH/pins DOM0KIT_RELEASES_JSON=$FIX/$fixture.json \
		"$DOM0KIT" --workdir "$TRASH/w" releases "$@"
}
export -f rel

test_expect_success 'setup: a copy of the pin file' '
	cp "$TOP/patches/releases" pins && cp pins pins.orig
'

test_expect_success 'pins current: every line up to date' '
	rel current --no-debian >out &&
	grep -Eq "^6\.12 +6\.12\.107 +6\.12\.107 +- +up to date$" out &&
	grep -Eq "^6\.1 +6\.1\.187 +6\.1\.187 +- +up to date$" out &&
	grep -Eq "^7\.2 +7\.2\.8 +7\.2\.8 +- +up to date$" out &&
	! grep -q "new line" out
'

test_expect_success 'a new 6.12 point release: only 6.12 has an update' '
	rel new-point --no-debian >out &&
	grep -Eq "^6\.12 +6\.12\.107 +6\.12\.110 +- +update available$" out &&
	grep -Eq "^6\.1 +6\.1\.187 +6\.1\.187 +- +up to date$" out &&
	grep -Eq "^7\.2 +7\.2\.8 +7\.2\.8 +- +up to date$" out &&
	! grep -q "new line" out && cmp pins pins.orig
'

test_expect_success '--update on a new point release moves that pin only, keeps comments and notes' '
	rel new-point --no-debian --update >out &&
	test_grep -qx "updated 6.12 6.12.107 6.12.110" out && [ "$(grep -c ^updated out)" = 1 ] &&
	test_expect_code 1 diff pins.orig pins >d &&
	test_cmp - d <<-EOT &&
	6c6
	< 6.12	6.12.107	Debian 13 (trixie)
	---
	> 6.12	6.12.110	Debian 13 (trixie)
	EOT
	! ls pins.tmp.* 2>/dev/null &&
	rel new-point --no-debian --update >out && grep -q "pins are up to date" out &&
	cp pins.orig pins
'

test_expect_success 'a new major line is reported; an end-of-life line is marked' '
	rel new-line --no-debian >out &&
	grep -qx "new line 7.3 not yet supported (newest 7.3.1)" out &&
	! grep -q "new line 7.4" out && ! grep -q "new line 6.6" out &&
	grep -Eq "^6\.1 +6\.1\.187 +6\.1\.190 +- +end of life \(update available\)$" out &&
	grep -Eq "^7\.2 +7\.2\.8 +7\.2\.12 +- +update available$" out &&
	grep -Eq "^6\.12 +6\.12\.107 +6\.12\.113 +- +update available$" out
'

test_expect_success '--update with a new line: supported pins move, the new line is not added' '
	rel new-line --no-debian --update >out &&
	grep -q "^6.12	6.12.113	" pins && grep -q "^6.1	6.1.190	" pins && grep -q "^7.2	7.2.12	" pins &&
	! grep -q "^7.3" pins && [ "$(grep -c "^#" pins)" = "$(grep -c "^#" pins.orig)" ] &&
	cp pins.orig pins
'

test_expect_success '--kernel LINE reports that line only' '
	rel new-point --no-debian --kernel 6.1 >out &&
	[ "$(grep -c "^[0-9]" out)" = 1 ] && grep -q "^6\.1 " out
'

test_expect_success 'malformed releases.json: one clear error, exit 4, pins untouched' '
	rc=0 && rel malformed --no-debian --update >out 2>err || rc=$? &&
	test $rc = 4 && one_line err &&
	grep -q "^dom0kit: cannot parse releases.json from $FIX/malformed.json: Unterminated string" err &&
	cmp pins pins.orig
'

test_expect_success 'valid JSON of the wrong shape, a missing file: one-line errors' '
	echo "{\"latest_stable\": {\"version\": \"7.2.8\"}}" >shape.json &&
	rc=0 && DOM0KIT_RELEASES_JSON=$TRASH/shape.json "$DOM0KIT" --workdir w releases --no-debian >out 2>err || rc=$? &&
	test $rc = 4 && one_line err && grep -q "cannot parse releases.json from .*shape.json: no \"releases\" list" err &&
	echo "{\"releases\": [{\"version\": 6}]}" >shape.json &&
	rc=0 && DOM0KIT_RELEASES_JSON=$TRASH/shape.json "$DOM0KIT" --workdir w releases --no-debian >out 2>err || rc=$? &&
	test $rc = 4 && one_line err && grep -q "release #1 has no version string" err &&
	rc=0 && DOM0KIT_RELEASES_JSON=$TRASH/nosuch.json "$DOM0KIT" --workdir w releases --no-debian >out 2>err || rc=$? &&
	test $rc = 4 && one_line err && grep -q "cannot read releases.json from .*nosuch.json" err
'

test_expect_success 'an unknown option: one-line usage error' '
	rc=0 && rel current --frobnicate >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "unknown option for releases: --frobnicate" err
'

# refresh marks a patch upstream has taken in the line's series
# (upstream=X.Y.Z); releases lists it under the table, per line.
test_expect_success 'a patch refresh found upstream is reported with the release that carries it' '
	cp -a "$TOP/patches" p &&
	sed -i "s/^0008-xen-events-log-bind-pirq-error.patch\$/& upstream=6.12.110/" p/6.12/series &&
	sed -i "s/^0005-xen-pciback-reserve-hotplugged-matching-devices.patch\$/& upstream=7.2.9/" p/7.2/series &&
	rel current --no-debian --patches "$TRASH/p" >out &&
	grep -qxF "6.12   0008-xen-events-log-bind-pirq-error.patch upstream in 6.12.110 (left out of the series from there on)" out &&
	grep -qxF "7.2    0005-xen-pciback-reserve-hotplugged-matching-devices.patch upstream in 7.2.9 (left out of the series from there on)" out &&
	[ "$(grep -c " upstream in " out)" = 2 ] &&
	rel current --no-debian --patches "$TRASH/p" --kernel 7.2 >out &&
	[ "$(grep -c " upstream in " out)" = 1 ] &&
	rel current --no-debian >out && ! grep -q " upstream in " out
'

# Debian's indices list releases the mirror no longer serves (404); the
# Debian column and --update only count what it really serves.
test_expect_success 'with Debian: the newest release the mirror serves bounds the update' '
	rel new-line >out &&
	served=$(awk "\$1 == \"6.12\" {print \$4}" out) && [[ $served =~ ^6\.12\.[0-9]+$ ]] &&
	{ curl -fsI -o /dev/null "http://deb.debian.org/debian/pool/main/l/linux/linux_$served.orig.tar.xz" ||
		curl -fsI -o /dev/null "http://deb.debian.org/debian-security/pool/updates/main/l/linux/linux_$served.orig.tar.xz"; } &&
	rel new-line --update >out &&
	if [ "$served" = 6.12.107 ]; then grep -q "^6.12	6.12.107	" pins; else grep -q "^6.12	$served	" pins; fi
'
test_done
