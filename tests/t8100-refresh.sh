#!/bin/bash
# refresh: carries a throwaway series from 6.12.8 (the oldest 6.12 Debian
# serves) to 6.12.107. pci_stub.c gained two lines at 620 between them, so
# a hunk below that applies only with an offset and is refreshed; a patch
# on the lines that changed (driver_override, 632) is reported with its
# hunk and nothing under patches/ is written.
. "$(dirname "$0")/test-lib.sh"
test_plan 8

OLD=6.12.8 NEW=6.12.107
STUB=drivers/xen/xen-pciback/pci_stub.c
XENBUS=drivers/xen/xen-pciback/xenbus.c
W=$TRASH/w
export OLD NEW STUB XENBUS W
MKPATCH_BASE=$TRASH/old
export MKPATCH_BASE
# shellcheck source=tests/refresh-lib.sh
. "$TEST_DIRECTORY/refresh-lib.sh"

test_expect_success 'setup: fetch both releases, make patches against the old one' '
	printf "6.12\t$OLD\tDebian 13 (trixie)\n6.1\t6.1.187\tDebian 12\n" >pins &&
	mkdir -p p/6.12 p/6.1 p/common &&
	run --kernel $OLD fetch >/dev/null && run --kernel $NEW fetch >/dev/null &&
	tarball=$(cut -d" " -f2 "$W/state/$OLD/source") &&
	mkdir old && tar -xf "$tarball" -C old --strip-components=1 linux-$OLD/$STUB linux-$OLD/$XENBUS &&
	mkpatch 6.12 stub.patch $STUB "99a /* dom0kit: hunk 1 */
712a /* dom0kit: hunk 2 */" &&
	mkpatch 6.12 xenbus.patch $XENBUS "65a /* dom0kit: clean */" &&
	mkpatch common shared.patch $STUB "995a /* dom0kit: shared */" &&
	mkpatch 6.12 conflict.patch $STUB "632s/driver_override &&/driver_override \\&\\& 1 \\&\\&/" &&
	series 6.12 shared.patch stub.patch xenbus.patch && series 6.1 shared.patch &&
	grep -q "^@@ -97,6 +97,7 @@" p/6.12/stub.patch && cp -a p p.orig
'

test_expect_success 'a line instead of a release, an unknown line: one-line errors' '
	rc=0 && run --kernel 6.12 refresh >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "refresh needs a full release: --kernel X.Y.Z" err &&
	rc=0 && run --kernel 5.4.1 refresh >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "unknown kernel line: 5.4" err
'

test_expect_success '--dry-run plans and writes nothing' '
	run --kernel $NEW --dry-run refresh >out &&
	grep -q "^would refresh: carry 3 patches" out && diff -r p.orig p && grep -q "	$OLD	" pins
'

test_expect_success 'a conflicting patch: its hunk is shown, nothing written' '
	series 6.12 stub.patch conflict.patch xenbus.patch &&
	rc=0 && run --kernel $NEW refresh >out 2>err || rc=$? &&
	test $rc = 1 && one_line err &&
	grep -q "refresh: linux $NEW: conflict.patch does not apply even with --fuzz=3 ($STUB: Hunk #1 FAILED); left for a human, patches/ and the pin unchanged" err &&
	grep -q "^conflict.patch: does not apply, not even with --fuzz=3" rev/refresh/6.12/REPORT &&
	grep -q "^xenbus.patch: applies unchanged" rev/refresh/6.12/REPORT && test "$(cat rev/refresh/6.12/status)" = fails &&
	grep -q "^---- rejected hunk #1 of $STUB" out &&
	grep -q "^-	if ((dev->driver_override &&" out && grep -q "^+	if ((dev->driver_override && 1 &&" out &&
	series 6.12 shared.patch stub.patch xenbus.patch &&
	diff -r p.orig p && grep -q "	$OLD	" pins &&
	! ls -d "$W"/.refresh.* 2>/dev/null
'

test_expect_success 'offsets are refreshed, clean patches kept, shared ones copied to the line' '
	run --kernel $NEW refresh >out 2>err &&
	grep -q "^- stub.patch: $STUB hunk 2 offset +2$" out &&
	grep -q "^- shared.patch: $STUB hunk 1 offset +2$" out &&
	grep -q "^Applied unchanged: xenbus.patch$" out &&
	grep -q "^patches/6.12: carry the series from $OLD to $NEW" "$W/refresh-6.12.msg" &&
	cmp p.orig/6.12/xenbus.patch p/6.12/xenbus.patch &&
	cmp p.orig/common/shared.patch p/common/shared.patch &&
	test -f p/6.12/shared.patch && grep -q "^@@ -995,6 +995,7 @@" p/6.12/shared.patch &&
	grep -q "^@@ -97,6 +97,7 @@" p/6.12/stub.patch && grep -q "^@@ -712,6 +713,7 @@" p/6.12/stub.patch &&
	test "$(sed -n "1,/^---\$/p" p/6.12/stub.patch)" = "$(sed -n "1,/^---\$/p" p.orig/6.12/stub.patch)" &&
	test "$(grep "^[-+][^-+]" p/6.12/stub.patch)" = "$(grep "^[-+][^-+]" p.orig/6.12/stub.patch)" &&
	grep -q "^6.12	$NEW	Debian 13 (trixie)$" pins && grep -q "^6.1	6.1.187	Debian 12$" pins &&
	! ls -d "$W"/.refresh.* 2>/dev/null
'

test_expect_success 'the refreshed series applies to the new release with --fuzz=0, no offsets' '
	run --kernel $NEW patch >out &&
	grep -q "dom0kit: hunk 2" "$W/src/linux-$NEW/$STUB" &&
	test_cmp - "$W/src/linux-$NEW/.pc/applied-patches" <<-EOT &&
	shared.patch
	stub.patch
	xenbus.patch
	EOT
	! grep -q "offset" "$W/logs/patch.log"
'

# Upstream detection: a fixture "6.12.120" is 6.12.107's files that the
# 6.12 series touches with our 0008 already applied, as if upstream had
# taken it. refresh must mark it upstream=6.12.120 and carry the rest.
UP=0008-xen-events-log-bind-pirq-error.patch
export UP
test_expect_success 'a patch of our series that the new release carries: marked upstream, left out from there on' '
	cp -a "$TOP/patches" q && printf "6.12\t$NEW\tDebian 13 (trixie)\n" >qpins &&
	tarball=$(cut -d" " -f2 "$W/state/$NEW/source") &&
	files=$(cat q/common/*.patch | pristine_files linux-$NEW) &&
	mkdir up && tar -xf "$tarball" -C up --strip-components=1 linux-$NEW/Makefile $files &&
	sed -i "s/^SUBLEVEL = .*/SUBLEVEL = 120/" up/Makefile &&
	(cd up && patch -p1 -s --fuzz=0 <"$TOP/patches/common/$UP") &&
	DOM0KIT_RELEASES_FILE=$TRASH/qpins "$DOM0KIT" --workdir "$TRASH/w2" --patches "$TRASH/q" \
		--kernel 6.12.120 --source "dir:$TRASH/up" refresh >out 2>err &&
	grep -q "upstream: $UP is in linux 6.12.120 already" out &&
	grep -qx "$UP upstream=6.12.120" q/6.12/series &&
	[ "$(diff "$TOP/patches/6.12/series" q/6.12/series | grep -c "^[<>]")" = 2 ] &&
	grep -q "^Upstream in 6.12.120: $UP" "$TRASH/w2/refresh-6.12.msg" &&
	grep -q "^6.12	6.12.120	" qpins && diff -r -x series "$TOP/patches" q
'

test_expect_success 'the marked series: one patch fewer on 6.12.120, all of them below it' '
	n=$(grep -c "^[0-9]" "$TOP/patches/6.12/series") &&
	DOM0KIT_RELEASES_FILE=$TRASH/qpins "$DOM0KIT" --workdir "$TRASH/w2" --patches "$TRASH/q" \
		--kernel 6.12.120 --source "dir:$TRASH/up" patch >out &&
	[ "$(grep -c . "$TRASH/w2/src/linux-6.12.120/.pc/applied-patches")" = $((n - 1)) ] &&
	! grep -q "$UP" "$TRASH/w2/src/linux-6.12.120/.pc/applied-patches" &&
	DOM0KIT_RELEASES_FILE=$TRASH/qpins "$DOM0KIT" --workdir "$TRASH/w3" --patches "$TRASH/q" \
		--kernel $NEW --dry-run patch >out &&
	grep -q "^would patch: apply $n patches" out &&
	sed -i "s/upstream=6.12.120/upstream=7.2.1/" q/6.12/series &&
	rc=0 && DOM0KIT_RELEASES_FILE=$TRASH/qpins "$DOM0KIT" --workdir "$TRASH/w3" --patches "$TRASH/q" \
		--kernel $NEW --dry-run patch >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "upstream=7.2.1. is not a release of line 6.12" err
'
test_done
