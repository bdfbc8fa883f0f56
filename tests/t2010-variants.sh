#!/bin/bash
# Version-bounded patches (docs/variants.md): a variant of a series entry
# in PATCHES/<line>/<dir>/ with an X-Applies-To header serves only those
# releases; the patch stage picks it with --fuzz=0. Fixture trees stand
# for two releases of 6.12 on either side of an API change; the last case
# applies the repository's 6.12 series to the files it touches of 6.12.8
# (the oldest 6.12 Debian serves, in the cache since t8100 and check
# pins), which needs the pre-6.12.91 variants.
. "$(dirname "$0")/test-lib.sh"
test_plan 9

W=$TRASH/w
export W
# run REL ARGS...: the patch stage on fixture tree REL with patches p/.
run() {
	local rel=$1; shift
	"$DOM0KIT" --workdir "$W" --patches "$TRASH/p" --kernel "$rel" --source "dir:$TRASH/tree-$rel" "$@"
}
# tree REL API: a kernel tree of release REL whose stub.c calls API.
tree() {
	local d=$TRASH/tree-$1
	mkdir -p "$d/drivers"
	printf 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = %s\n' "${1##*.}" >"$d/Makefile"
	printf 'int probe(void)\n{\n\tif (%s)\n\t\treturn 1;\n\treturn 0;\n}\n' "$2" >"$d/drivers/stub.c"
}
# mkpatch FILE REL RANGE: a patch of drivers/stub.c of tree REL adding a
# log line, with X-Applies-To RANGE unless it is empty.
mkpatch() {
	local file=$TRASH/p/$1 rel=$2 range=$3
	mkdir -p "$(dirname "$file")" "$TRASH/gen/a/drivers" "$TRASH/gen/b/drivers"
	cp "$TRASH/tree-$rel/drivers/stub.c" "$TRASH/gen/a/drivers/stub.c"
	sed 's/^\t\treturn 1;/\t\tlog("seized");\n&/' "$TRASH/gen/a/drivers/stub.c" >"$TRASH/gen/b/drivers/stub.c"
	{
		printf 'Description: log a seized device\nAuthor: Test <t@dom0kit.invalid>\n'
		[ -z "$range" ] || printf 'X-Applies-To: %s\n' "$range"
		printf '\nSigned-off-by: Test <t@dom0kit.invalid>\n---\n'
		(cd "$TRASH/gen" && diff -u a/drivers/stub.c b/drivers/stub.c) || [ $? = 1 ]
	} >"$file"
}
export -f run tree mkpatch

test_expect_success 'setup: 6.12.8 and 6.12.95 differ where the patch goes' '
	tree 6.12.8 "dev->driver_override" && tree 6.12.95 "device_match_driver_override(dev)" &&
	mkpatch common/log.patch 6.12.95 "" &&
	mkpatch 6.12/pre-6.12.91/log.patch 6.12.8 "< 6.12.91" &&
	printf "log.patch\n" >p/6.12/series &&
	! (cd tree-6.12.8 && patch -p1 --dry-run -F0 <../p/common/log.patch >/dev/null)
'

test_expect_success 'a release above the range gets the default (common/)' '
	run 6.12.95 fetch >/dev/null && run 6.12.95 patch >out &&
	grep -q "log(\"seized\")" "$W/src/linux-6.12.95/drivers/stub.c" &&
	grep -q "device_match_driver_override" "$W/src/linux-6.12.95/drivers/stub.c" &&
	cmp p/common/log.patch "$W/state/6.12.95/patches/log.patch"
'

test_expect_success 'a release in the range gets the variant, with --fuzz=0' '
	run 6.12.8 fetch >/dev/null && run 6.12.8 patch >out &&
	grep -q "log(\"seized\")" "$W/src/linux-6.12.8/drivers/stub.c" &&
	grep -q "dev->driver_override" "$W/src/linux-6.12.8/drivers/stub.c" &&
	cmp p/6.12/pre-6.12.91/log.patch "$W/state/6.12.8/patches/log.patch"
'

test_expect_success 'two variants claiming one release: one line naming both, exit 2' '
	mkpatch 6.12/six/log.patch 6.12.8 ">= 6.12.6, <= 6.12.8" &&
	rc=0 && run 6.12.8 patch >out 2>err || rc=$? &&
	test $rc = 2 && one_line err &&
	grep -q "linux 6.12.8 is claimed by two variants of log.patch: 6.12/pre-6.12.91/log.patch and 6.12/six/log.patch" err &&
	rm -r p/6.12/six
'

test_expect_success 'no default and no variant for the release: one line, exit 2' '
	mv p/common/log.patch log.default &&
	rc=0 && run 6.12.95 patch >out 2>err || rc=$? &&
	test $rc = 2 && one_line err &&
	grep -q "no variant of log.patch is meant for linux 6.12.95: 6.12/pre-6.12.91/log.patch (< 6.12.91)" err &&
	mv log.default p/common/log.patch
'

test_expect_success 'an unreadable or foreign X-Applies-To: one line naming the file, exit 2' '
	cp p/6.12/pre-6.12.91/log.patch good.patch &&
	sed -i "s/^X-Applies-To: .*/X-Applies-To: before 6.12.91/" p/6.12/pre-6.12.91/log.patch &&
	rc=0 && run 6.12.8 patch >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "pre-6.12.91/log.patch: X-Applies-To: cannot read .before6.12.91." err &&
	sed -i "s/^X-Applies-To: .*/X-Applies-To: < 7.2.1/" p/6.12/pre-6.12.91/log.patch &&
	rc=0 && run 6.12.8 patch >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "names a release of 7.2, not of line 6.12" err &&
	sed -i "s/^X-Applies-To: .*/X-Applies-To: >= 6.12.91, < 6.12.8/" p/6.12/pre-6.12.91/log.patch &&
	rc=0 && run 6.12.8 patch >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "admits no release" err &&
	cp good.patch p/6.12/pre-6.12.91/log.patch
'

test_expect_success 'variants_lint: overlapping ranges name both files, a gap without default is named' '
	mkpatch 6.12/six/log.patch 6.12.8 ">= 6.12.6, <= 6.12.8" &&
	rc=0 && (DOM0KIT_TOP=$TOP LIB=$TOP/scripts/lib; . "$LIB/common.sh"; . "$LIB/variants.sh"; variants_lint "$TRASH/p") >out || rc=$? &&
	test $rc = 1 &&
	grep -qx "6.12/pre-6.12.91/log.patch and 6.12/six/log.patch: X-Applies-To ranges overlap (both claim 6.12.6)" out &&
	rm -r p/6.12/six && mv p/common/log.patch log.default &&
	rc=0 && (DOM0KIT_TOP=$TOP LIB=$TOP/scripts/lib; . "$LIB/common.sh"; . "$LIB/variants.sh"; variants_lint "$TRASH/p") >out || rc=$? &&
	test $rc = 1 && grep -q "^6.12/series: log.patch has no file for linux 6.12.91: " out &&
	mkpatch 6.12/new/log.patch 6.12.95 ">= 6.12.91" &&
	(DOM0KIT_TOP=$TOP LIB=$TOP/scripts/lib; . "$LIB/common.sh"; . "$LIB/variants.sh"; variants_lint "$TRASH/p") >out &&
	test ! -s out && rm -r p/6.12/new && mv log.default p/common/log.patch
'

test_expect_success 'the repository variants: no overlap, no gap' '
	(DOM0KIT_TOP=$TOP LIB=$TOP/scripts/lib; . "$LIB/common.sh"; . "$LIB/variants.sh"; variants_lint "$TOP/patches")
'

# 6.12.8 is a pin of the cache (t8100-refresh fetches it); its touched
# files alone make a tree the real series must apply to with --fuzz=0.
test_expect_success 'the 6.12 series applies to 6.12.8 with the pre-6.12.91 variants' '
	"$DOM0KIT" --workdir "$W" --kernel 6.12.8 fetch >/dev/null &&
	tarball=$(cut -d" " -f2 "$W/state/6.12.8/source") &&
	files=$(cat "$TOP"/patches/common/*.patch "$TOP"/patches/6.12/*/*.patch | pristine_files linux-6.12.8) &&
	mkdir real && tar -xf "$tarball" -C real --strip-components=1 linux-6.12.8/Makefile $files &&
	"$DOM0KIT" --workdir "$W" --kernel 6.12.8 --source "dir:$TRASH/real" fetch >/dev/null &&
	"$DOM0KIT" --workdir "$W" --kernel 6.12.8 --source "dir:$TRASH/real" patch >out &&
	cmp "$TOP/patches/6.12/pre-6.12.91/0002-xen-pciback-typed-seize-rules.patch" "$W/state/6.12.8/patches/0002-xen-pciback-typed-seize-rules.patch" &&
	cmp "$TOP/patches/common/0003-xen-pciback-add-ids-parameter.patch" "$W/state/6.12.8/patches/0003-xen-pciback-add-ids-parameter.patch" &&
	[ "$(grep -c . "$W/src/linux-6.12.8/.pc/applied-patches")" = "$(grep -c "^[0-9]" "$TOP/patches/6.12/series")" ]
'
test_done
