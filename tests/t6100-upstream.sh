#!/bin/bash
# upstream: every line's series as git format-patch mails a maintainer can
# take: the sender's identity, no DEP-3 fields in commit messages, To/Cc
# from get_maintainer.pl, cover letters filled in; the mails apply with
# git am to pristine files from the release tarball and pass checkpatch.pl.
# Runs after t4000 and t6000, which leave every line's patched tree.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/check-env.sh"
lines="6.12 6.1 7.2"
test_plan $((3 + 2 * $(wc -w <<<"$lines")))

# The sender's identity comes from git's global config: a file of ours.
export GIT_CONFIG_GLOBAL=$TRASH/gitconfig GIT_CONFIG_NOSYSTEM=1
: >"$GIT_CONFIG_GLOBAL"
up() { "$DOM0KIT" --workdir "$CHECK_WORK" --outdir "$TRASH/mails" upstream "$@"; }
release_of() { awk -v l="$1" '$1 == l {print $2}' "$TOP/patches/releases"; }
export -f up release_of

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

for line in $lines; do
	export line
	test_expect_success "$line: three groups, the sender as From and Signed-off-by, no DEP-3 or dom0kit identity" '
		rel=$(release_of $line) &&
		{ [ -d "$CHECK_WORK/src/linux-$rel/.pc" ] || { "$DOM0KIT" --workdir "$CHECK_WORK" --kernel $line fetch && "$DOM0KIT" --workdir "$CHECK_WORK" --kernel $line patch; } >/dev/null; } &&
		up --kernel $line >out 2>err && cat out &&
		d=$TRASH/mails/upstream/$line &&
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
	test_expect_success "$line: the mails apply with git am to pristine files, and pass checkpatch.pl --strict" '
		rel=$(release_of $line) d=$TRASH/mails/upstream/$line &&
		src=$CHECK_WORK/src/linux-$rel &&
		tarball=${DOM0KIT_CACHE:-$HOME/.cache/dom0kit}/sources/linux_$rel.orig.tar.xz &&
		files=$(sed -n "s|^--- a/||p" "$d"/*/0*.patch | sort -u) &&
		mkdir pristine-$line && tar -xf "$tarball" -C pristine-$line --strip-components=1 $(printf "linux-$rel/%s " $files) &&
		git -C pristine-$line init -q && git -C pristine-$line add -A && git -C pristine-$line commit -qm pristine &&
		for g in events seize reset; do
			git -C pristine-$line am -q $(ls "$d/$g"/*.patch | grep -v /0000-cover-letter.patch) || exit 1
		done &&
		test "$(git -C pristine-$line log --format="%an <%ae>" -n 12 | sort -u)" = "Ada Tester <ada@example.org>" &&
		test "$(git -C pristine-$line rev-list --count HEAD)" = 13 &&
		# The released tree has no history to look up Fixes: commits in.
		for m in "$d"/*/*.patch; do
			case $m in */0000-cover-letter.patch) continue ;; esac
			(cd "$src" && perl scripts/checkpatch.pl --strict --no-summary --terse --ignore UNKNOWN_COMMIT_ID "$m") || exit 1
		done
	'
done

test_expect_success 'To and Cc come from get_maintainer.pl; the reset group has linux-pci' '
	d=$TRASH/mails/upstream/6.12 &&
	for m in "$d"/*/*.patch; do
		test_grep "^Cc: .*xen-devel@lists.xenproject.org" "$m" >/dev/null || exit 1
		test_grep "^To: .*Juergen Gross <jgross@suse.com>" "$m" >/dev/null || exit 1
	done &&
	for m in "$d"/reset/*.patch; do test_grep "^Cc: .*linux-pci@vger.kernel.org" "$m" >/dev/null || exit 1; done
'
test_done
