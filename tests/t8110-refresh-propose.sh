#!/bin/bash
# refresh, the parts a human reviews, and a new line in one command, on
# the kernel-shaped fixture tree tests/fixtures/refresh-tree ("6.12.200":
# a Makefile with kmake's targets and two small C files, compiled for
# real) and "6.12.201" made from it below. A patch that needs fuzz on the
# new release becomes a proposed variant in the out dir once its tree
# compiles; patches/ and the pins stay as they were.
. "$(dirname "$0")/test-lib.sh"
test_plan 11

A=6.12.200 B=6.12.201
XEN=drivers/xen/pciback.c
export A B XEN
export DOM0KIT_CONFIGS=$TOP/tests/fixtures/refresh-configs DOM0KIT_NO_CCACHE=1
MKPATCH_BASE=$TRASH/a
export MKPATCH_BASE
# shellcheck source=tests/refresh-lib.sh
. "$TEST_DIRECTORY/refresh-lib.sh"
unchanged() { diff -r "$TRASH/p.orig" "$TRASH/p" && cmp "$TRASH/pins.orig" "$TRASH/pins"; }
export -f unchanged

# B: two lines more at the top (offsets), a context line changed near
# fuzz.patch (fuzz 2), handed_over renamed next to nocompile.patch (fuzz
# 3, then no longer compiles), the line conflict.patch changes rewritten.
test_expect_success 'setup: trees 6.12.200 and 6.12.201, patches against the first' '
	cp -a "$TOP/tests/fixtures/refresh-tree" a &&
	cp -a a b && sed -i "s/^SUBLEVEL = .*/SUBLEVEL = 201/" b/Makefile &&
	sed -i -e "4a /* 6.12.201: two lines more, */\\n/* so every hunk below moves by two. */" \
		-e "10s/id < 0)/id < 0 || id > 255)/" -e "20s/match by id/match by id or by override/" \
		-e "28s/give the device back/hand the device back/" -e "6s/handed_over/nr_handed_over/" \
		-e "30s/handed_over/nr_handed_over/" b/$XEN &&
	mkdir -p p/6.12 p/common &&
	mkpatch common clean.patch drivers/pci/pci.c "9a \\	/* dom0kit: clean */" &&
	mkpatch 6.12 offset.patch $XEN "34a \\	/* dom0kit: offset */" &&
	mkpatch 6.12 fuzz.patch $XEN "22s/ret = 1;/ret = 2;/" &&
	mkpatch 6.12 nocompile.patch $XEN "29a \\	handed_over++;" &&
	mkpatch 6.12 conflict.patch $XEN "10s/id < 0)/id <= 0)/" &&
	series 6.12 clean.patch offset.patch fuzz.patch &&
	printf "6.12\t$A\tfixture\n" >pins &&
	cp -a p p.orig && cp pins pins.orig &&
	run --kernel $A --source dir:$TRASH/a fetch >out && run --kernel $A --source dir:$TRASH/a patch >out
'

test_expect_success 'a patch that needs fuzz: a proposed variant that compiles, needs review, nothing else written' '
	rc=0 && run --kernel $B --source dir:$TRASH/b refresh >out 2>err || rc=$? &&
	test $rc = 1 && one_line err &&
	grep -q "^dom0kit: refresh: needs review: 1 proposed variant for linux $B in $TRASH/rev/refresh/6.12 (patches/ and the pin unchanged)$" err &&
	o=rev/refresh/6.12 && test "$(cat $o/status)" = needs-review &&
	v=$o/patches/6.12/from-$B/fuzz.patch && test -f $v &&
	grep -qx "X-Applies-To: >= $B" $v &&
	test "$(grep -v "^X-Applies-To:" $v | sed -n "1,/^---\$/p")" = "$(sed -n "1,/^---\$/p" p/6.12/fuzz.patch)" &&
	grep -q "^+		ret = 2;" $v && grep -q "^ 	/\\* match by id or by override \\*/" $v &&
	grep -q "^- 	/\\* match by id \\*/" $o/fuzz.patch.diff && grep -q "^+ 	/\\* match by id or by override \\*/" $o/fuzz.patch.diff &&
	grep -q "^clean.patch: applies unchanged$" $o/REPORT &&
	grep -q "^offset.patch: applies with offsets" $o/REPORT &&
	grep -q "^fuzz.patch: proposed as patches/6.12/from-$B/fuzz.patch: applies only with fuzz 2" $o/REPORT &&
	grep -q "^compile: ok: make W=1 drivers/pci/ drivers/xen/ on the qemu profile" $o/REPORT &&
	grep -q "CC      drivers/xen/pciback.o" $o/compile.log &&
	unchanged && ! ls -d w/.refresh.* 2>/dev/null
'

test_expect_success 'the proposal taken: 6.12.201 applies with --fuzz=0, 6.12.200 keeps the old file, refresh then moves the pin' '
	cp -a rev/refresh/6.12/patches/. p/ &&
	run --kernel $B --source dir:$TRASH/b fetch >out && run --kernel $B --source dir:$TRASH/b patch >out &&
	grep -q "ret = 2;" w/src/linux-$B/$XEN && ! grep -q "with fuzz" w/logs/patch.log &&
	run --kernel $A --source dir:$TRASH/a patch >out && grep -q "ret = 2;" w/src/linux-$A/$XEN &&
	run --kernel $B --source dir:$TRASH/b refresh >out &&
	grep -q "^6.12	$B	fixture$" pins &&
	rm -rf p/6.12/from-$B && cp -a p.orig/. p/ && cp pins.orig pins
'

# A distribution may pin a release below ours: the proposal is then a
# variant up to that release, the newer ones keep the old file.
test_expect_success 'a release older than the pin: the proposal is a variant up to it' '
	printf "6.12\t6.12.209\tfixture\n" >pins &&
	rc=0 && run --kernel $B --source dir:$TRASH/b refresh >out 2>err || rc=$? &&
	test $rc = 1 && grep -q "refresh: needs review: 1 proposed variant" err &&
	v=rev/refresh/6.12/patches/6.12/upto-$B/fuzz.patch && grep -qx "X-Applies-To: <= $B" $v &&
	grep -q "^fuzz.patch: proposed as patches/6.12/upto-$B/fuzz.patch" rev/refresh/6.12/REPORT &&
	cp pins.orig pins && unchanged
'

test_expect_success 'fuzz, but the result does not compile: said so, per patch, exit 1' '
	series 6.12 clean.patch nocompile.patch offset.patch &&
	rc=0 && run --kernel $B --source dir:$TRASH/b refresh >out 2>err || rc=$? &&
	test $rc = 1 && one_line err &&
	grep -q "^dom0kit: refresh: linux $B: nocompile.patch applies only with fuzz 3 and the tree then does not compile ($XEN:.*handed_over.* undeclared" err &&
	o=rev/refresh/6.12 && test "$(cat $o/status)" = fails &&
	grep -q "^nocompile.patch: proposed as patches/6.12/from-$B/nocompile.patch: applies only with fuzz 3" $o/REPORT &&
	grep -q "^compile: FAILED: $XEN:[0-9:]* error: .handed_over. undeclared" $o/REPORT &&
	grep -q "^offset.patch: applies with offsets" $o/REPORT &&
	series 6.12 clean.patch offset.patch fuzz.patch && unchanged
'

test_expect_success 'a patch that does not apply even with fuzz: its hunk shown, the others still tried' '
	series 6.12 conflict.patch clean.patch offset.patch &&
	rc=0 && run --kernel $B --source dir:$TRASH/b refresh >out 2>err || rc=$? &&
	test $rc = 1 && one_line err &&
	grep -q "^dom0kit: refresh: linux $B: conflict.patch does not apply even with --fuzz=3 ($XEN: Hunk #1 FAILED); left for a human, patches/ and the pin unchanged" err &&
	grep -q "^---- rejected hunk #1 of $XEN" out && grep -q "^+	if (id <= 0)" out &&
	o=rev/refresh/6.12 && test "$(cat $o/status)" = fails &&
	grep -q "^conflict.patch: does not apply, not even with --fuzz=3" $o/REPORT &&
	grep -q "^clean.patch: applies unchanged$" $o/REPORT && grep -q "^offset.patch: applies with offsets" $o/REPORT &&
	series 6.12 clean.patch offset.patch fuzz.patch && unchanged
'

# The same change can be written with its added blank line above or
# below the new function; quilt refresh writes GNU diff's choice. Seen on
# 6.12.8, whose 0003 (made by git) came back from quilt refresh with its
# "}" lines elsewhere: still the same change, still carried.
test_expect_success 'a patch quilt refresh writes with other alignment: the same changed lines, carried' '
	{
		printf "Description: test patch aligned.patch\nAuthor: Test <t@dom0kit.invalid>\n\n---\n"
		printf -- "--- a/$XEN\n+++ b/$XEN\n@@ -22,6 +22,11 @@\n"
		printf " \t\tret = 1;\n \treturn ret;\n }\n+\n+int pcistub_new(int id)\n+{\n+\treturn id;\n+}\n"
		printf " \n int pcistub_release(int id)\n {\n"
	} >p/6.12/aligned.patch &&
	series 6.12 aligned.patch && (cd a && patch -p1 --dry-run --fuzz=0 <../p/6.12/aligned.patch) &&
	run --kernel $B --source dir:$TRASH/b refresh >out 2>err &&
	grep -q "^- aligned.patch: $XEN hunk 1 offset +2" out && grep -q "^6.12	$B	" pins &&
	(cd b && patch -p1 --dry-run --fuzz=0 <../p/6.12/aligned.patch) &&
	rm p/6.12/aligned.patch && cp -a p.orig/. p/ && cp pins.orig pins && unchanged
'

# A new line: "6.13.1" is 6.12.201 under another version.
test_expect_success 'bad input for --new-line: one line each, exit 2, nothing written' '
	cp -a b c && sed -i -e "s/^PATCHLEVEL = .*/PATCHLEVEL = 13/" -e "s/^SUBLEVEL = .*/SUBLEVEL = 1/" c/Makefile &&
	for args in "--new-line 6.12|line 6.12 exists already (pinned to $A)" \
		"--new-line 6.13 --from 5.4|no line 5.4 to start 6.13 from (known: 6.12)" \
		"--new-line 6.13 --kernel 6.12.201|--kernel 6.12.201 is not a release of the new line 6.13" \
		"--new-line 6.x|--new-line needs a line X.Y (e.g. 7.3), not .6.x." \
		"--from 6.12|--from needs --new-line" "--new-line|option --new-line needs a value"; do
		rc=0 && run refresh ${args%%|*} >out 2>err || rc=$? &&
		{ test $rc = 2 && one_line err && grep -q -- "${args#*|}" err; } || { echo "for ${args%%|*}: rc $rc"; cat err; false; } &&
		unchanged && [ ! -e rev/refresh/6.13 ] || return 1
	done
'

test_expect_success '--new-line 6.13 --from 6.12: series and line patches carried, pin added, applied and compiled' '
	series 6.12 clean.patch offset.patch && cp -a p p.before &&
	run refresh --new-line 6.13 --from 6.12 --kernel 6.13.1 --source dir:$TRASH/c >out 2>err &&
	grep -v "^#" p/6.13/series >s13 && test_cmp - s13 <<-EOT &&
	clean.patch
	offset.patch
	EOT
	grep -q "^@@ -34,5 +34,6 @@" p/6.13/offset.patch &&
	[ ! -e p/6.13/clean.patch ] && diff -r -x 6.13 p.before p &&
	grep -q "^6.13	6.13.1	new line, from 6.12 (dom0kit refresh --new-line)$" pins &&
	[ "$(diff pins.orig pins | grep -c "^>")" = 1 ] &&
	grep -q "^compile: ok: make W=1 drivers/pci/ drivers/xen/" out &&
	grep -q "^patches/6.13: a new line from 6.12, pinned to 6.13.1" w/refresh-6.13.msg &&
	run --kernel 6.13 --source dir:$TRASH/c fetch >out && run --kernel 6.13 --source dir:$TRASH/c patch >out && ! grep -q "(offset\|with fuzz" w/logs/patch.log
'

test_expect_success 'a new line whose patch needs fuzz: the line proposed in the out dir, none created' '
	cp -a c d && sed -i "s/^PATCHLEVEL = .*/PATCHLEVEL = 14/" d/Makefile &&
	series 6.12 clean.patch offset.patch fuzz.patch && rm -rf p.before && cp -a p p.before && cp pins pins.before &&
	rc=0 && run refresh --new-line 6.14 --from 6.12 --kernel 6.14.1 --source dir:$TRASH/d >out 2>err || rc=$? &&
	test $rc = 1 && one_line err && grep -q "refresh: needs review: 1 proposed variant for linux 6.14.1" err &&
	o=rev/refresh/6.14 && test "$(cat $o/status)" = needs-review &&
	grep -q "^+		ret = 2;" $o/patches/6.14/fuzz.patch && ! grep -q "^X-Applies-To:" $o/patches/6.14/fuzz.patch &&
	test -f $o/patches/6.14/series && grep -q "^pin: 6.14	6.14.1	" $o/REPORT &&
	[ ! -e p/6.14 ] && diff -r p.before p && cmp pins.before pins
'

test_expect_success '--new-line without --from starts from the nearest older line' '
	run refresh --new-line 6.14 --kernel 6.14.1 --source dir:$TRASH/d >out 2>err &&
	grep -q "^patches/6.14: a new line from 6.13, pinned to 6.14.1" w/refresh-6.14.msg &&
	diff <(grep -v "^#" p/6.13/series) <(grep -v "^#" p/6.14/series) && grep -q "^6.14	6.14.1	" pins
'
test_done
