#!/bin/bash
# lint: DEP-3 header, Signed-off-by and checkpatch.pl --strict on patches.
. "$(dirname "$0")/test-lib.sh"
test_plan 7

W=$TRASH/w
export W
lint() { "$DOM0KIT" --workdir "$W" lint "$@"; }
export -f lint

good_header() {
	cat <<-'EOT'
	From: dom0kit developers <dev@dom0kit.invalid>
	Subject: [PATCH] xen-pciback: fix a typo in a comment
	Description: Fixes a typo in a comment of pci_stub.c.
	Author: dom0kit developers <dev@dom0kit.invalid>
	Origin: vendor, dom0kit
	Forwarded: not-needed
	Last-Update: 2026-11-26

	A comment said "the the"; say it once.

	Signed-off-by: dom0kit developers <dev@dom0kit.invalid>
	---
	EOT
}
export -f good_header

test_expect_success 'setup: the 6.12 tree (for checkpatch.pl) and a clean patch' '
	"$DOM0KIT" --workdir "$W" fetch >/dev/null && "$DOM0KIT" --workdir "$W" patch >/dev/null &&
	f=drivers/xen/xen-pciback/pci_stub.c && mkdir -p a/${f%/*} b/${f%/*} &&
	cp "$W/src/linux-6.12.107/$f" a/$f &&
	sed "2s/exported later/exported to guests later/" a/$f >b/$f && ! cmp -s a/$f b/$f &&
	{ good_header; diff -u a/$f b/$f || true; } >good.patch &&
	grep -q "^+++ b/drivers" good.patch
'

test_expect_success 'a patch with a DEP-3 header and Signed-off-by passes' '
	lint "$PWD/good.patch" >out && grep -q "lint: 1 patch(es) clean" out
'

test_expect_success 'each missing DEP-3 field and the Signed-off-by are named' '
	for field in Origin Forwarded Last-Update Signed-off-by; do
		grep -v "^$field:" good.patch >bad-$field.patch
		rc=0 && lint "$PWD/bad-$field.patch" >out 2>err || rc=$?
		test $rc = 1 && grep -q "bad-$field.patch: no .*$field" out && tail -n 1 err | grep -qE "lint: [12] problem" || exit 1
	done
'

test_expect_success 'the problem count is the number of problems printed' '
	grep -v "^Origin:\|^Forwarded:" good.patch | sed "s@^+ \* PCI Stub Driver\(.*\)@+ * PCI Stub Driver\1   @" >many.patch &&
	sed -i "s@^+\(.*exported to guests later.*\)\$@+\1\t @" many.patch &&
	rc=0 && lint "$PWD/many.patch" >out 2>err || rc=$? && test $rc = 1 &&
	printed=$(grep -c "^$PWD/many.patch: no \|^    " out) &&
	counted=$(tail -n 1 err | sed -n "s/.*lint: \([0-9]*\) problem.*/\1/p") &&
	test "$printed" -ge 3 && test "$printed" = "$counted" || { echo "printed $printed, counted $counted"; cat out err; exit 1; }
'

test_expect_success 'a malformed Last-Update date' '
	sed "s/^Last-Update: .*/Last-Update: yesterday/" good.patch >date.patch &&
	rc=0 && lint "$PWD/date.patch" >out 2>err || rc=$? &&
	test $rc = 1 && grep -q "Last-Update is not YYYY-MM-DD" out
'

test_expect_success 'checkpatch.pl --strict findings fail the lint' '
	sed "s@^+ \* PCI Stub Driver\(.*\)@+ * PCI Stub Driver\1   @" good.patch >style.patch && grep -q "later   $" style.patch &&
	rc=0 && lint "$PWD/style.patch" >out 2>err || rc=$? &&
	test $rc = 1 && grep -q "checkpatch.pl --strict" out && grep -qi "trailing whitespace" out
'

test_expect_success 'every patch in the repository passes lint on the default line' '
	lint >out 2>err || { cat out err; exit 1; }
'
test_done
