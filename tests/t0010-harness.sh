#!/bin/bash
# The test harness itself: tests/run and test-lib.sh on tiny test scripts
# written here. A script must print its plan (test_plan N, "1..N") and run
# that many cases, skips included; one that stops early, even with exit
# 0, or never planned, fails. test_must_fail and test_expect_code accept
# only the failures they are meant for.
. "$(dirname "$0")/test-lib.sh"
test_plan 9

# The fake scripts keep their scratch dirs in ours.
export TEST_TRASH_ROOT=$TRASH/fakes
mkdir -p "$TEST_TRASH_ROOT"
# fake FILE LINE...: a test script that sources the real test-lib.sh.
fake() {
	local f=$1
	shift
	{ echo '. "$TEST_DIRECTORY/test-lib.sh"'; printf '%s\n' "$@"; } >"$f"
}
# runs FILE...: tests/run on the fake scripts, its output in ./out.
runs() { "$TEST_DIRECTORY/run" "$@" >out 2>&1; }
export -f fake runs

test_expect_success 'a script that plans 3, runs 2 and exits 0 fails in tests/run' '
	fake short.sh "test_plan 3" "test_expect_success one true" "test_expect_success two true" "exit 0" &&
	test_expect_code 0 bash short.sh >direct &&
	test_expect_code 1 runs short.sh &&
	test_grep -x "not ok - short planned 3 cases, ran 2" out &&
	test "$(tail -n 1 out)" = "2 passed, 1 failed"
'

test_expect_success 'a script that plans 2 and runs 2 passes' '
	fake good.sh "test_plan 2" "test_expect_success one true" "test_expect_success two true" test_done &&
	runs good.sh &&
	test_grep -x "1\.\.2" out &&
	test "$(tail -n 1 out)" = "2 passed, 0 failed"
'

test_expect_success 'skips count toward the plan' '
	fake skips.sh "test_plan 2" "test_expect_success one true" "test_skip two" test_done &&
	runs skips.sh &&
	test "$(tail -n 1 out)" = "1 passed, 0 failed, 1 skipped" &&
	test_grep -x "# skips: 1 passed, 0 failed, 1 skipped" out &&
	fake skips-short.sh "test_plan 2" "test_expect_success one true" test_done &&
	test_expect_code 1 runs skips-short.sh &&
	test_grep -x "# skips-short: planned 2 cases, ran 1" out &&
	test "$(tail -n 1 out)" = "1 passed, 1 failed"
'

test_expect_success 'test_done fails a script that ran fewer or more cases than planned' '
	fake fewer.sh "test_plan 3" "test_expect_success one true" test_done &&
	test_expect_code 1 bash fewer.sh >direct &&
	test_grep -x "# fewer: planned 3 cases, ran 1" direct &&
	fake more.sh "test_plan 1" "test_expect_success one true" "test_expect_success two true" test_done &&
	test_expect_code 1 bash more.sh >direct &&
	test_grep -x "# more: planned 1 cases, ran 2" direct &&
	test_expect_code 1 runs more.sh &&
	test_grep -x "not ok - more planned 1 cases, ran 2" out &&
	test "$(tail -n 1 out)" = "2 passed, 1 failed"
'

test_expect_success 'a script that never printed a plan, or printed two, fails' '
	fake noplan.sh "test_expect_success one true" test_done &&
	test_expect_code 1 bash noplan.sh >direct &&
	test_expect_code 1 runs noplan.sh &&
	test_grep -x "not ok - noplan printed 0 plans, not one \(test_plan N\)" out &&
	fake noplan-exit.sh "test_expect_success one true" "exit 0" &&
	test_expect_code 1 runs noplan-exit.sh &&
	fake twoplans.sh "test_plan 1" "test_expect_success one true" "test_plan 1" test_done &&
	test_expect_code 1 runs twoplans.sh &&
	test_grep -x "not ok - twoplans printed 2 plans, not one \(test_plan N\)" out
'

test_expect_success 'a failed case is one failure; a script dying after its plan is one too' '
	fake fails.sh "test_plan 2" "test_expect_success one true" "test_expect_success two false" test_done &&
	test_expect_code 1 runs fails.sh &&
	test "$(tail -n 1 out)" = "1 passed, 1 failed" &&
	fake dies.sh "test_plan 1" "test_expect_success one true" "exit 3" &&
	test_expect_code 1 runs dies.sh good.sh &&
	test "$(tail -n 1 out)" = "3 passed, 1 failed"
'

test_expect_success 'test_must_fail takes exit 1 to 125, not a missing command, 126 or a signal' '
	test_must_fail false && test_must_fail sh -c "exit 125" &&
	! test_must_fail true 2>err && test_grep "succeeded" err &&
	! test_must_fail ./nonexistent 2>err && test_grep "exit 127" err &&
	: >noexec && ! test_must_fail ./noexec 2>err && test_grep "exit 126" err &&
	! test_must_fail sh -c "kill -TERM \$\$" 2>err && test_grep "killed by signal 15" err
'

test_expect_success 'test_expect_code takes that exit code only' '
	test_expect_code 0 true && test_expect_code 3 sh -c "exit 3" &&
	! test_expect_code 2 sh -c "exit 1" 2>err && test_grep -x "test_expect_code: exit 1, expected 2: sh -c exit 1" err
'

test_expect_success 'every test script declares its plan' '
	for f in "$TEST_DIRECTORY"/t[0-9]*.sh; do
		grep -qE "^\s*test_plan [0-9\$]" "$f" || { echo "$f: no test_plan"; exit 1; }
	done
'
test_done
