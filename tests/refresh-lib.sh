# shellcheck shell=bash
# What the refresh tests share: run (dom0kit on the test's pins, patches,
# work and out dirs), mkpatch and series. Set MKPATCH_BASE to the tree
# the patches are made against before calling mkpatch.

run() { DOM0KIT_RELEASES_FILE=$TRASH/pins "$DOM0KIT" --workdir "$TRASH/w" --outdir "$TRASH/rev" --patches "$TRASH/p" "$@"; }
# mkpatch DIR NAME FILE SED-SCRIPT: a real diff of FILE of $MKPATCH_BASE
# with a DEP-3 header as the project's patches carry.
mkpatch() {
	local dir=$TRASH/p/$1 name=$2 file=$3
	mkdir -p "$dir" "$TRASH/gen/$(dirname "$file")"
	sed "$4" "$MKPATCH_BASE/$file" >"$TRASH/gen/$file"
	{
		printf 'Description: test patch %s\nAuthor: Test <t@dom0kit.invalid>\n' "$name"
		printf 'Origin: other\nForwarded: not-needed\nLast-Update: 2026-01-01\n\n'
		printf 'Signed-off-by: Test <t@dom0kit.invalid>\n---\n'
		diff -u --label "a/$file" --label "b/$file" "$MKPATCH_BASE/$file" "$TRASH/gen/$file" || [ $? = 1 ]
	} >"$dir/$name"
}
series() { local l=$1; shift; printf '%s\n' "$@" >"$TRASH/p/$l/series"; }
export -f run mkpatch series
