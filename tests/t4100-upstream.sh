#!/bin/bash
# upstream: the series as git format-patch mails a maintainer can take:
# the sender's identity, no DEP-3 fields in commit messages, To/Cc from
# get_maintainer.pl, cover letters filled in; the mails apply with git am
# to pristine files from the release tarball and pass checkpatch.pl.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/check-env.sh"
test_plan 6

# The sender's identity comes from git's global config: a file of ours.
export GIT_CONFIG_GLOBAL=$TRASH/gitconfig GIT_CONFIG_NOSYSTEM=1
: >"$GIT_CONFIG_GLOBAL"
up() { "$DOM0KIT" --workdir "$CHECK_WORK" --outdir "$TRASH/mails" upstream "$@"; }
export -f up

test_expect_success 'setup: the 6.12 tree is patched' '
	[ -d "$CHECK_WORK/src/linux-6.12.107/.pc" ] || "$DOM0KIT" --workdir "$CHECK_WORK" patch >/dev/null
'

test_expect_success 'without a git identity: one line, exit 2, nothing written' '
	rc=0 && up >out 2>err || rc=$? &&
	test $rc = 2 && one_line err &&
	grep -q "git config user.name and user.email are not set" err && test ! -e "$TRASH/mails/upstream/6.12"
'

test_expect_success 'a line without a patched tree: one line, exit 2' '
	git config --global user.name "Ada Tester" && git config --global user.email ada@example.org &&
	rc=0 && "$DOM0KIT" --workdir empty --outdir o upstream >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "no patched tree of 6.12.107: run dom0kit patch" err
'

test_expect_success 'three groups, sender as From and Signed-off-by, no DEP-3 or dom0kit identity' '
	up >out 2>err && cat out &&
	d=$TRASH/mails/upstream/6.12 &&
	test "$(ls "$d")" = "$(printf "events\nreset\nseize")" &&
	test "$(ls "$d"/events | wc -l)" = 1 && test "$(ls "$d"/seize | wc -l)" = 8 && test "$(ls "$d"/reset | wc -l)" = 5 &&
	for m in "$d"/*/*.patch; do
		test_grep "^From: Ada Tester <ada@example.org>$" "$m" >/dev/null || exit 1
		case $m in */0000-cover-letter.patch) continue ;; esac
		test_grep "^Signed-off-by: Ada Tester <ada@example.org>$" "$m" >/dev/null || exit 1
	done &&
	! grep -l "dom0kit.invalid\|^Origin:\|^Forwarded:\|^Last-Update:\|^Description:\|^Author:" "$d"/*/*.patch &&
	! grep -l "\*\*\* SUBJECT HERE\|\*\*\* BLURB HERE" "$d"/*/*.patch &&
	grep -q "^Subject: \[PATCH 0/4\] xen-pciback: do_flr" "$d"/reset/0000-cover-letter.patch &&
	grep -q "^Subject: \[PATCH 0/7\] xen-pciback: seize" "$d"/seize/0000-cover-letter.patch
'

test_expect_success 'To and Cc come from get_maintainer.pl; the reset group has linux-pci' '
	d=$TRASH/mails/upstream/6.12 &&
	for m in "$d"/*/*.patch; do
		test_grep "^Cc: .*xen-devel@lists.xenproject.org" "$m" >/dev/null || exit 1
		test_grep "^To: .*Juergen Gross <jgross@suse.com>" "$m" >/dev/null || exit 1
	done &&
	for m in "$d"/reset/*.patch; do test_grep "^Cc: .*linux-pci@vger.kernel.org" "$m" >/dev/null || exit 1; done
'

test_expect_success 'the mails apply with git am to pristine files, and pass checkpatch.pl --strict' '
	d=$TRASH/mails/upstream/6.12 src=$CHECK_WORK/src/linux-6.12.107 &&
	tarball=${DOM0KIT_CACHE:-$HOME/.cache/dom0kit}/sources/linux_6.12.107.orig.tar.xz &&
	files=$(sed -n "s|^--- a/||p" "$d"/*/0*.patch | sort -u) &&
	mkdir pristine && tar -xf "$tarball" -C pristine --strip-components=1 $(printf "linux-6.12.107/%s " $files) &&
	git -C pristine init -q && git -C pristine add -A && git -C pristine commit -qm pristine &&
	for g in events seize reset; do
		git -C pristine am -q $(ls "$d/$g"/*.patch | grep -v /0000-cover-letter.patch) || exit 1
	done &&
	test "$(git -C pristine log --format="%an <%ae>" -n 12 | sort -u)" = "Ada Tester <ada@example.org>" &&
	test "$(git -C pristine rev-list --count HEAD)" = 13 &&
	for m in "$d"/*/*.patch; do
		case $m in */0000-cover-letter.patch) continue ;; esac
		(cd "$src" && perl scripts/checkpatch.pl --strict --no-summary --terse "$m") || exit 1
	done
'
test_done
