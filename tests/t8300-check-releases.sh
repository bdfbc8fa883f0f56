#!/bin/bash
# release-check (make check-releases): bad input is one line; the served
# list comes from Debian's mirror (dry run, a few HEAD requests). With
# DOM0KIT_CHECK_RELEASES=1 every served release of every line is fetched,
# patched, configured and compiled (drivers/xen/ drivers/pci/, W=1).
. "$(dirname "$0")/test-lib.sh"
RC=$TOP/scripts/lib/release-check.sh
export RC
plan=3
[ -z "${DOM0KIT_CHECK_RELEASES:-}" ] || plan=4
test_plan $plan

test_expect_success '--help, unknown option, unknown line: usage and one-line errors' '
	"$RC" --help >out && grep -q "^Usage: scripts/lib/release-check.sh" out &&
	rc=0 && "$RC" --frob --workdir w >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "unknown option for release-check: --frob" err &&
	rc=0 && "$RC" --kernel 5.4 --workdir w --dry-run >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "unknown kernel line: 5.4" err
'

test_expect_success 'a release the mirror does not serve is named as such' '
	rc=0 && "$RC" --kernel 6.12.113 --workdir w --dry-run >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "linux 6.12.113 is not served by Debian.s mirror (served for 6.12: 6.12.8 " err
'

test_expect_success 'the served list of a line: oldest first, the pin among them, each URL answers' '
	"$RC" --kernel 6.1 --workdir w --dry-run >out &&
	head -n 1 out | grep -q "^would check: 6\.1\.4 (http://deb.debian.org/" &&
	grep -q "^would check: 6\.1\.187 " out && ! grep -q "6\.1\.190" out &&
	url=$(sed -n "s/^would check: 6\.1\.187 (\(.*\))$/\1/p" out) && curl -fsI -o /dev/null "$url"
'

if [ -n "${DOM0KIT_CHECK_RELEASES:-}" ]; then
	test_expect_success 'every served release of every line applies, configures and compiles with W=1' '
		"$RC" --workdir "$TRASH/w" --table "$TRASH/table.md" | tee out &&
		mkdir -p "$TOP/.check" && cp "$TRASH/table.md" "$TOP/.check/releases-$(date -u +%Y-%m-%d).md" &&
		grep -q "passed, 0 failed$" out
	'
fi
test_done
