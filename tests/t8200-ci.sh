#!/bin/bash
# ci/: both YAML files parse, every repository script they call exists and
# answers --help, and ci/pipeline checks its input and plans a dry run.
. "$(dirname "$0")/test-lib.sh"
test_plan 7

# yaml_calls FILE: "path [subcommand]" for every repository script that
# any string of FILE (script:, run:) calls; fails when FILE does not parse.
yaml_calls() {
	python3 - "$1" <<'PY'
import re, sys, yaml
with open(sys.argv[1]) as f:
    data = yaml.safe_load(f)
if not isinstance(data, dict):
    sys.exit("%s: not a mapping" % sys.argv[1])
calls = set()
def walk(x):
    if isinstance(x, dict):
        for v in x.values():
            walk(v)
    elif isinstance(x, list):
        for v in x:
            walk(v)
    elif isinstance(x, str):
        for m in re.finditer(r"(?:^|[\s;&|(])(?:\./)?((?:scripts|ci|tests)/[\w./-]+)(?:[ \t]+([a-z][\w-]*))?", x):
            path, sub = m.group(1), m.group(2)
            if path.endswith("/"):  # a directory such as work/logs/
                continue
            calls.add(path + (" " + sub if path == "scripts/dom0kit" and sub else ""))
walk(data)
print("\n".join(sorted(calls)))
PY
}
export -f yaml_calls

test_expect_success 'python3 can read YAML' '
	python3 -c "import yaml"
'

for y in ci/gitlab-ci.yml ci/github/dom0kit.yml; do
	export Y=$y
	test_expect_success "$y parses and has the expected jobs" '
		python3 - "$TOP/$Y" <<-"PY"
		import sys, yaml
		d = yaml.safe_load(open(sys.argv[1]))
		if "jobs" in d:  # GitHub: "on" is read as the boolean True by YAML 1.1
		    on = d.get("on", d.get(True))
		    assert "schedule" in on, "no schedule"
		    jobs = d["jobs"]
		    assert jobs["build"]["strategy"]["matrix"]["line"] == ["6.12", "6.1", "7.2"], "matrix"
		else:
		    jobs = d
		    assert d["build"]["parallel"]["matrix"][0]["LINE"] == ["6.12", "6.1", "7.2"], "matrix"
		    assert "schedule" in str(d["releases"]["rules"]), "no schedule"
		assert "build" in jobs and "releases" in jobs, "jobs"
		assert "check-releases" in jobs, "no check-releases job"
		assert "scripts/lib/release-check.sh" in str(jobs["check-releases"]), "check-releases does not run release-check.sh"
		PY
	'
	test_expect_success "$y: every script it calls exists and answers --help" '
		yaml_calls "$TOP/$Y" >calls &&
		grep -qx "ci/pipeline" calls && grep -qx "scripts/dom0kit releases" calls &&
		grep -qx "scripts/dom0kit refresh" calls && grep -qx "scripts/lib/release-check.sh" calls &&
		while read -r path sub; do
			test -x "$TOP/$path" || { echo "$Y calls $path: not an executable file"; exit 1; }
			(cd "$TOP" && "./$path" $sub --help) >help.out 2>&1 ||
				{ echo "$Y: $path $sub --help failed:"; cat help.out; exit 1; }
			grep -q "^Usage: " help.out || { echo "$path $sub --help prints no usage"; exit 1; }
		done <calls
	'
done

test_expect_success 'ci/pipeline --help, and bad input is one line with exit 2' '
	"$TOP/ci/pipeline" --help >out && grep -q "^Usage: ci/pipeline --kernel LINE" out &&
	rc=0 && "$TOP/ci/pipeline" >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "^ci/pipeline: --kernel LINE is required" err &&
	rc=0 && "$TOP/ci/pipeline" --kernel 5.4 --workdir w >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "^ci/pipeline: unknown kernel line: 5.4" err &&
	rc=0 && "$TOP/ci/pipeline" --kernel 6.12.107 --workdir w >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "takes a line such as 6.12" err &&
	rc=0 && "$TOP/ci/pipeline" --kernel 6.12 --frob >out 2>err || rc=$? &&
	test $rc = 2 && one_line err
'

test_expect_success 'ci/pipeline --kernel 6.12 --dry-run plans every step in order' '
	"$TOP/ci/pipeline" --kernel 6.12 --dry-run --workdir w --outdir o >out &&
	test "$(grep -o "^\[[0-9]/8\] [a-z-]*" out | cut -d" " -f2 | tr "\n" " ")" = \
		"deps fetch patch lint configure compile package boot-test " &&
	grep -q "would compile:" out && grep -q "pipeline for 6.12 (qemu) passed" out &&
	[ ! -e o ] && [ ! -e w/src ]
'
test_done
