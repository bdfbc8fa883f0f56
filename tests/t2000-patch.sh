#!/bin/bash
# patch: quilt --fuzz=0 on a real release tree with throwaway series;
# failures name patch and hunk and leave the tree pristine; unchanged
# files keep their mtime so make rebuilds only what a patch touches.
. "$(dirname "$0")/test-lib.sh"
test_plan 11

F1=drivers/xen/xen-pciback/pci_stub.c
F2=drivers/xen/xenbus/xenbus_probe.c
export F1 F2
W=$TRASH/w
run() { "$DOM0KIT" --workdir "$W" --patches "$TRASH/p" "$@"; }
# mkpatch NAME FILE SED-SCRIPT: a real diff of FILE in the pristine tree.
mkpatch() {
	local name=$1 file=$2 script=$3 dir=$TRASH/p/${4:-6.12}
	mkdir -p "$dir" "$TRASH/gen/a/$(dirname "$file")" "$TRASH/gen/b/$(dirname "$file")"
	cp "$TRASH/pristine/$file" "$TRASH/gen/a/$file"
	sed "$script" "$TRASH/pristine/$file" >"$TRASH/gen/b/$file"
	{
		printf 'Description: test patch %s\nAuthor: Test <t@dom0kit.invalid>\n---\n' "$name"
		(cd "$TRASH/gen" && diff -u "a/$file" "b/$file")
	} >"$dir/$name"
	return 0
}
series() { printf '%s\n' "$@" >"$TRASH/p/6.12/series"; }
mtime() { stat -c %.9Y "$W/src/linux-6.12.107/$1"; }
export -f run mkpatch series mtime
export W

test_expect_success 'an empty series gives the pristine tree' '
	mkdir -p p/6.12 && series &&
	"$DOM0KIT" --workdir "$W" fetch >/dev/null && run patch >out &&
	mkdir -p pristine/$(dirname $F1) pristine/$(dirname $F2) &&
	cp "$W/src/linux-6.12.107/$F1" pristine/$F1 && cp "$W/src/linux-6.12.107/$F2" pristine/$F2 &&
	tar -xOf "$(cut -d" " -f2 "$W/state/6.12.107/source")" linux-6.12.107/$F1 | cmp - pristine/$F1
'

test_expect_success 'a series applies with quilt --fuzz=0, patches found in <line>/ and common/' '
	mkpatch one.patch $F1 "1a /* dom0kit test one */" &&
	mkpatch two.patch $F2 "1a /* dom0kit test two */" common &&
	series one.patch two.patch &&
	run patch >out &&
	grep -q "dom0kit test one" "$W/src/linux-6.12.107/$F1" &&
	grep -q "dom0kit test two" "$W/src/linux-6.12.107/$F2" &&
	test_cmp - "$W/src/linux-6.12.107/.pc/applied-patches" <<-EOT
	one.patch
	two.patch
	EOT
'

test_expect_success 'unchanged inputs: the stage is skipped' '
	run patch >out && grep -q "patch: inputs unchanged, skipped" out
'

test_expect_success 'a dry run honours the stamp: would skip patch, and the next stage sees it' '
	run --dry-run patch >plan && test_cmp - plan <<-EOT &&
	would skip patch: inputs unchanged
	EOT
	run --dry-run --outdir "$TRASH/o" --profile qemu --suite bookworm build >plan &&
	grep -qx "would skip patch: inputs unchanged" plan && grep -qx "would run configure because it has not run yet" plan
'

test_expect_success 'a changed patch: only its file gets a new mtime' '
	m1=$(mtime $F1) && m2=$(mtime $F2) && sleep 1.1 &&
	mkpatch two.patch $F2 "1a /* dom0kit test two, changed */" common &&
	run --dry-run patch >plan && grep -qx "would run patch because two.patch changed" plan &&
	grep -q "^would patch: apply 2 patches" plan && test "$(mtime $F2)" = "$m2" &&
	run patch >out &&
	grep -q "dom0kit test two, changed" "$W/src/linux-6.12.107/$F2" &&
	test "$(mtime $F1)" = "$m1" && test "$(mtime $F2)" != "$m2"
'

test_expect_success 'a patch dropped from the series: its file is pristine and newer' '
	m2=$(mtime $F2) && sleep 1.1 &&
	series one.patch && run patch >out &&
	cmp "$W/src/linux-6.12.107/$F2" pristine/$F2 &&
	test "$(echo "$(mtime $F2) > $m2" | bc)" = 1
'

test_expect_success 'a patch that needs fuzz fails naming patch and hunk; tree rolled back' '
	mkpatch fuzzy.patch $F2 "40a /* needs fuzz */" &&
	sed -i "0,/^ /s/^ \(.*\)$/ \1 changed context/" p/6.12/fuzzy.patch &&
	(cd "$W/src/linux-6.12.107" && patch -p1 --dry-run -F 2 <"$TRASH/p/6.12/fuzzy.patch" | grep -q "with fuzz") &&
	series one.patch fuzzy.patch &&
	rc=0 && run patch >out 2>err || rc=$? &&
	test $rc = 1 && one_line err &&
	grep -E "patch fuzzy.patch does not apply to linux 6.12.107 with --fuzz=0: $F2: Hunk #1 FAILED" err &&
	grep -q "tree rolled back to pristine" err &&
	cmp "$W/src/linux-6.12.107/$F1" pristine/$F1 && cmp "$W/src/linux-6.12.107/$F2" pristine/$F2 &&
	[ ! -s "$W/src/linux-6.12.107/.pc/applied-patches" ] &&
	[ ! -e "$W/state/6.12.107/patch.stamp" ]
'

test_expect_success 'after a failure, a fixed series applies again' '
	series one.patch && run patch >out && grep -q "dom0kit test one" "$W/src/linux-6.12.107/$F1"
'

# The configure stage's input is the series' Kconfig-relevant sections
# (patch.sh's kconfig_identity): a C-only change keeps it, a Kconfig
# change changes it, also one whose hunk removes a line "-- x" and adds
# "++ y", which read line by line looks like a file's ---/+++ header
# (k2.patch's headers carry no timestamp: only that line differs).
test_expect_success 'the patch stamp names the Kconfig sections: kept by a C change, changed by any Kconfig change' '
	K=drivers/xen/Kconfig && kc() { sed -n "s/^kconfig //p" "$W/state/6.12.107/patch.stamp"; } &&
	mkdir -p kg/a/${K%/*} kg/b/${K%/*} kg/c/${K%/*} &&
	tar -xOf "$(cut -d" " -f2 "$W/state/6.12.107/source")" linux-6.12.107/$K >kg/a/$K &&
	sed "1a -- x" kg/a/$K >kg/b/$K && sed "1a ++ y" kg/a/$K >kg/c/$K &&
	{ printf "Description: k1\n---\n"; (cd kg && diff -u a/$K b/$K) || true; } >p/6.12/k1.patch &&
	{ printf "Description: k2\n---\n"; (cd kg && diff -u --label a/$K --label b/$K b/$K c/$K) || true; } >p/6.12/k2.patch &&
	grep -qx -- "--- x" p/6.12/k2.patch && grep -qx "+++ y" p/6.12/k2.patch &&
	series one.patch k1.patch && run patch >out && k1=$(kc) &&
	mkpatch one.patch $F1 "1a /* dom0kit test one, C only */" && run patch >out && test "$(kc)" = "$k1" &&
	series one.patch k1.patch k2.patch && run patch >out && k2=$(kc) && test "$k2" != "$k1" &&
	sed "1a ++ z" kg/a/$K >kg/c/$K && { printf "Description: k2\n---\n"; (cd kg && diff -u --label a/$K --label b/$K b/$K c/$K) || true; } >p/6.12/k2.patch &&
	run patch >out && grep -qx "++ z" "$W/src/linux-6.12.107/$K" && test "$(kc)" != "$k2"
'

test_expect_success 'a series naming a missing patch' '
	series one.patch nosuch.patch &&
	rc=0 && run patch >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "names nosuch.patch, found neither in 6.12/ nor in common/" err
'

test_expect_success 'the repository series of every line are well formed' '
	for l in 6.12 6.1 7.2; do
		"$DOM0KIT" --workdir "$TRASH/dry" --kernel $l --dry-run patch >plan || exit 1
		grep -q "^would patch: apply" plan || exit 1
	done
'
test_done
