# shellcheck shell=bash
# Shared test library, in the spirit of git's t/test-lib.sh: every test
# script sources it, declares its plan with test_plan N (TAP's "1..N"),
# declares cases with test_expect_success and ends with test_done. Each
# case prints "ok N - desc" or "not ok N - desc"; the runner (tests/run)
# adds the counts up into "N passed, N failed", and fails a script that
# printed no plan or ran another number of cases than it planned.

set -u
TEST_DIRECTORY=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$TEST_DIRECTORY/.." && pwd)
export TOP TEST_DIRECTORY
export DOM0KIT="$TOP/scripts/dom0kit"
test_name=$(basename "$0" .sh)
# Scratch space per script, removed on success, kept on failure for a look.
TRASH=${TEST_TRASH_ROOT:-${TMPDIR:-/tmp}}/dom0kit-test.$test_name.$$
rm -rf "$TRASH" && mkdir -p "$TRASH"
test_count=0
test_failed=0
test_skipped=0
test_planned=''
test_plans=0

say() { printf '%s\n' "$*"; }

# test_plan N: the script runs N cases, skips included; call it once,
# before the first case (a script that skips everything plans its
# skips). A script that stops early, even with exit 0, then fails.
test_plan() {
	test_plans=$((test_plans + 1))
	test_planned=$1
	say "1..$1"
}

# test_expect_success DESC BODY: BODY runs in a subshell inside $TRASH;
# its output goes to $TRASH/case-N.out and is shown only on failure.
test_expect_success() {
	local desc=$1 body=$2 out rc
	test_count=$((test_count + 1))
	out="$TRASH/case-$test_count.out"
	# Not inside `if`: bash ignores set -e in a tested context, and every
	# step of a body must count, not only its last.
	(
		cd "$TRASH" || exit 1
		set -e
		eval "$body"
	) >"$out" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		say "ok $test_count - $desc"
	else
		test_failed=$((test_failed + 1))
		say "not ok $test_count - $desc"
		sed 's/^/#   /' "$out" | tail -n 40
	fi
}

# test_expect_failure is for a command that must fail: the body must exit
# nonzero; used through `! cmd` in bodies instead, kept for readability.
test_skip() {
	test_count=$((test_count + 1))
	test_skipped=$((test_skipped + 1))
	say "ok $test_count - # SKIP $1"
}

# test_skip_all WHY: skips every case of the script not run yet, each by
# its own description with WHY after it, and ends the script (cases that
# only a make target of their own runs).
test_skip_all() {
	local c
	while read -r c; do
		test_skip "$c ($1)"
	done < <(sed -n "s/^test_expect_success '\([^']*\)'.*/\1/p" "$0" | tail -n +$((test_count + 1)))
	test_done
}

# Helpers for bodies.
# test_must_fail CMD...: CMD fails the way a program fails, exit 1 to
# 125; a command not found or not runnable (127, 126) or killed by a
# signal (above 128) is not the failure a test means.
test_must_fail() {
	local rc=0
	"$@" || rc=$?
	case $rc in
	0) echo "test_must_fail: succeeded: $*" >&2 ;;
	126 | 127) echo "test_must_fail: not found or not executable (exit $rc): $*" >&2 ;;
	*) [ "$rc" -gt 128 ] || return 0
		echo "test_must_fail: killed by signal $((rc - 128)) (exit $rc): $*" >&2 ;;
	esac
	return 1
}
# test_expect_code CODE CMD...: CMD exits with exactly CODE.
test_expect_code() {
	local want=$1 rc=0
	shift
	"$@" || rc=$?
	[ "$rc" -eq "$want" ] || { echo "test_expect_code: exit $rc, expected $want: $*" >&2; return 1; }
}
test_cmp() { diff -u "$1" "$2"; }
test_grep() { grep -E "$@" || { echo "no match for: ${*: -2:1} in ${*: -1}" >&2; tail -n 20 "${@: -1}" >&2; return 1; }; }
# plan_version ARGS...: the package version that `dom0kit --dry-run ARGS
# package` plans (debian or bindeb packager); fails when it names none.
plan_version() {
	"$DOM0KIT" --dry-run "$@" package | sed -n -e 's/^would package: linux-dom0 \([^ ]*\) .*/\1/p' \
		-e 's/^would package: make bindeb-pkg KDEB_PKGVERSION=\([^ ]*\) .*/\1/p' | grep .
}
# kbuild_rebuilt LOG: kbuild's compile and link lines in a stage's LOG
# (none when a package stage packaged the compiled tree as it was).
kbuild_rebuilt() { grep -E '^  (CC|AS|AR|LD|KSYMS)( \[M\])? ' "$1" || true; }
# pristine_files PREFIX: of the patches on stdin, the files a release
# tarball has (changed, not created by a patch of the series: 0013 creates
# secureboot.c, 0014 changes it), each as PREFIX/FILE, once.
pristine_files() {
	awk -v p="$1" '/^--- / { old = $2; next }
		/^\+\+\+ b\// { f = substr($2, 3); if (old == "/dev/null") made[f] = 1; else seen[f] = 1 }
		END { for (f in seen) if (!(f in made)) print p "/" f }' | sort
}
# one_line FILE: the file holds exactly one non-empty line (bad input contract).
one_line() { [ "$(grep -c . "$1")" -eq 1 ] || { echo "expected one line in $1:"; cat "$1"; return 1; }; }

test_done() {
	local planned=yes
	if [ "$test_plans" -ne 1 ]; then
		say "# $test_name: test_plan was called $test_plans times, not once"
		planned=''
	elif [ "$test_count" -ne "$test_planned" ]; then
		say "# $test_name: planned $test_planned cases, ran $test_count"
		planned=''
	fi
	say "# $test_name: $((test_count - test_failed - test_skipped)) passed, $test_failed failed, $test_skipped skipped"
	if [ "$test_failed" -eq 0 ] && [ -n "$planned" ]; then
		rm -rf "$TRASH"
		exit 0
	fi
	say "# kept $TRASH"
	exit 1
}
