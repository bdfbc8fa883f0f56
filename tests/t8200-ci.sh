#!/bin/bash
# ci/: both CI definitions parse, follow each platform's documented rules
# (one pipeline per change, cancellable, caches saved on failure, write
# access only where needed, actions pinned), build the lines that
# patches/releases lists, and call only scripts that exist. The scheduled
# release job runs for real on a recorded releases.json against a
# throwaway repository: one line refreshes, another's patch conflicts.
. "$(dirname "$0")/test-lib.sh"
test_plan 20

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
            if path.endswith("/") or path.endswith(".yml") or x[m.end(1):m.end(1) + 1] == "[":
                continue  # a directory, an included file, a glob
            calls.add(path + (" " + sub if path == "scripts/dom0kit" and sub else ""))
walk(data)
print("\n".join(sorted(calls)))
PY
}
# yq FILE EXPR: EXPR (Python, the document is d) must be true.
yq() {
	python3 - "$@" <<'PY'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
ok = eval(sys.argv[2], {"d": d})
sys.exit(0 if ok else "%s: not true: %s" % (sys.argv[1], sys.argv[2]))
PY
}
export -f yaml_calls yq
GL=$TOP/ci/gitlab-ci.yml GLB=$TOP/ci/gitlab-build.yml GH=$TOP/ci/github/dom0kit.yml
export GL GLB GH

test_expect_success 'python3 can read YAML' '
	python3 -c "import yaml"
'

test_expect_success 'the scripts of ci/ are shellcheck clean and under 500 lines' '
	cd "$TOP" && shellcheck -x ci/pipeline ci/matrix ci/release-job ci/publish &&
	for f in ci/pipeline ci/matrix ci/release-job ci/publish; do [ "$(wc -l <"$f")" -lt 500 ]; done
'

for y in $GL $GH; do
	export Y=$y
	test_expect_success "${y#"$TOP"/}: parses, has the jobs, no line written into it" '
		python3 - "$Y" <<-"PY"
		import sys, yaml
		d = yaml.safe_load(open(sys.argv[1]))
		jobs = d["jobs"] if "jobs" in d else d
		for j in ("lines", "build", "check", "check-privileged", "check-release", "check-releases", "releases"):
		    assert j in jobs, "no job " + j
		assert "scripts/lib/release-check.sh" in str(jobs["check-releases"]), "check-releases does not run release-check.sh"
		assert "ci/matrix" in str(jobs["lines"]), "the lines job does not run ci/matrix"
		assert "make check-release" in str(jobs["check-release"]), "check-release does not run make check-release"
		assert "t5600-system" in str(jobs["check"]) and "t9100-install" in str(jobs["check"]), "check names no privileged test"
		PY
		! grep -E "\"?[0-9]+\.[0-9]+\"?, *\"?[0-9]+\.[0-9]+\"?" "$Y" &&
		! grep -q -- "releases --update" "$Y" && grep -q "ci/release-job" "$Y"
	'
	test_expect_success "${y#"$TOP"/}: every script it calls exists and answers --help" '
		{ yaml_calls "$Y"; [ "$Y" != "$GL" ] || yaml_calls "$GLB"; } | sort -u >calls &&
		grep -qx "ci/pipeline" calls && grep -qx "ci/matrix" calls && grep -qx "ci/release-job" calls &&
		grep -qx "scripts/lib/release-check.sh" calls && grep -qx "tests/run" calls &&
		while read -r path sub; do
			# tests/t*.sh run under bash; tests and their helpers take no --help
			case $path in tests/t[0-9]*.sh) test -f "$TOP/$path" || { echo "$Y names $path: no such test"; exit 1; }; continue ;; esac
			test -x "$TOP/$path" || { echo "$Y calls $path: not an executable file"; exit 1; }
			case $path in tests/*) continue ;; esac
			(cd "$TOP" && "./$path" $sub --help) >help.out 2>&1 ||
				{ echo "$Y: $path $sub --help failed:"; cat help.out; exit 1; }
			grep -q "^Usage: " help.out || { echo "$path $sub --help prints no usage"; exit 1; }
		done <calls
	'
done

test_expect_success 'GitLab: one pipeline per change, interruptible, caches kept on failure, test-kernel artifacts' '
	yq "$GL" "d[\"workflow\"][\"rules\"][0][\"if\"] == \"\$CI_PIPELINE_SOURCE == \\\"merge_request_event\\\"\"" &&
	yq "$GL" "any(\"CI_OPEN_MERGE_REQUESTS\" in r.get(\"if\", \"\") and r.get(\"when\") == \"never\" for r in d[\"workflow\"][\"rules\"])" &&
	yq "$GL" "d[\"default\"][\"interruptible\"] is True and d[\"releases\"][\"interruptible\"] is False" &&
	yq "$GLB" "d[\"default\"][\"interruptible\"] is True" &&
	yq "$GL" "d[\"build\"][\"trigger\"][\"include\"][0] == {\"artifact\": \"build-lines.yml\", \"job\": \"lines\"}" &&
	yq "$GL" "\"ci/matrix --gitlab > build-lines.yml\" in d[\"lines\"][\"script\"]" &&
	for f in "$GL" "$GLB"; do
		yq "$f" "all(v[\"cache\"].get(\"when\") == \"always\" for v in d.values() if isinstance(v, dict) and \"cache\" in v)" || exit 1
	done &&
	yq "$GLB" "d[\".build\"][\"artifacts\"][\"name\"].startswith(\"TEST-KERNEL-\")" &&
	yq "$GLB" "\"out/\" in d[\".build\"][\"artifacts\"][\"paths\"]" &&
	yq "$GL" "all(d[j][\"tags\"] == [\"dom0kit-privileged\"] for j in (\"check-privileged\", \"check-release\"))"
'

test_expect_success 'GitHub: filtered events, concurrency, write access in releases only, pinned actions, caches saved always' '
	yq "$GH" "d[True][\"push\"][\"branches\"] and \"pull_request\" in d[True] and \"schedule\" in d[True]" &&
	yq "$GH" "d[\"concurrency\"][\"group\"] and d[\"concurrency\"][\"cancel-in-progress\"]" &&
	yq "$GH" "d[\"permissions\"] == {\"contents\": \"read\"}" &&
	yq "$GH" "[j for j, v in d[\"jobs\"].items() if \"permissions\" in v] == [\"releases\"]" &&
	yq "$GH" "d[\"jobs\"][\"releases\"][\"permissions\"][\"contents\"] == \"write\"" &&
	python3 - "$GH" <<-"PY" &&
	import re, sys, yaml
	d = yaml.safe_load(open(sys.argv[1]))
	uses = [s["uses"] for j in d["jobs"].values() for s in j.get("steps", []) if "uses" in s]
	assert uses, "no action used"
	for u in uses:
	    assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", u), "not pinned to a commit: " + u
	for name, j in d["jobs"].items():
	    steps = j.get("steps", [])
	    for s in steps:
	        assert s.get("uses", "").split("@")[0] != "actions/cache", name + ": actions/cache saves only on success"
	        if s.get("uses", "").startswith("actions/cache/save@"):
	            assert s.get("if") == "always()", name + ": cache save without if: always()"
	    restores = [s for s in steps if s.get("uses", "").startswith("actions/cache/restore@")]
	    saves = [s for s in steps if s.get("uses", "").startswith("actions/cache/save@")]
	    assert len(restores) == len(saves), name + ": a restored cache is not saved"
	    for s in steps:
	        if s.get("uses", "").startswith("actions/checkout@"):
	            assert s.get("with", {}).get("persist-credentials") is False, name + ": checkout keeps GITHUB_TOKEN in .git/config"
	b = d["jobs"]["build"]
	assert b["strategy"]["matrix"]["line"] == "${{ fromJSON(needs.lines.outputs.lines) }}", "matrix"
	assert b["steps"][-1]["with"]["name"].startswith("TEST-KERNEL-"), "artifact name"
	env = [s.get("env", {}) for s in d["jobs"]["releases"]["steps"] if "ci/release-job" in s.get("run", "")][0]
	assert env["DOM0KIT_PR_TOKEN"] == "${{ secrets.DOM0KIT_PR_TOKEN }}", "no App/PAT token for the pull request"
	PY
	grep -q "lines=\$(ci/matrix --json)" "$GH"
'

test_expect_success 'ci/matrix: the lines of the pin file, a new one included; bad pin files refused' '
	printf "# c\n6.12\t6.12.107\tx\n6.1\t6.1.187\ty\n9.9\t9.9.1\tnew\n" >pins &&
	DOM0KIT_RELEASES_FILE=$TRASH/pins "$TOP/ci/matrix" --json >json &&
	python3 -c "import json, sys; assert json.load(open(\"json\")) == [\"6.12\", \"6.1\", \"9.9\"]" &&
	DOM0KIT_RELEASES_FILE=$TRASH/pins "$TOP/ci/matrix" --gitlab >child.yml &&
	python3 - child.yml "$GLB" <<-"PY" &&
	import sys, yaml
	c = yaml.safe_load(open(sys.argv[1])); b = yaml.safe_load(open(sys.argv[2]))
	assert c["include"] == [{"local": "ci/gitlab-build.yml"}], c["include"]
	jobs = {k: v for k, v in c.items() if k != "include"}
	assert sorted(jobs) == ["build 6.1", "build 6.12", "build 9.9"], sorted(jobs)
	for k, v in jobs.items():
	    assert v["extends"] in b and v["variables"]["LINE"] == k.split()[1], k
	assert any("ci/pipeline --kernel \"$LINE\"" in s for s in b[".build"]["script"])
	PY
	printf "6.12 6.12.107\nsix 6.x\n" >bad &&
	rc=0 && DOM0KIT_RELEASES_FILE=$TRASH/bad "$TOP/ci/matrix" --json >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "six. is not a kernel line" err &&
	rc=0 && "$TOP/ci/matrix" >out 2>err || rc=$? && test $rc = 2 && one_line err
'

test_expect_success 'ci/README: the tokens, their role and where they are kept' '
	grep -q "Developer" "$TOP/ci/README.md" && grep -q "Guest" "$TOP/ci/README.md" &&
	grep -qi "masked" "$TOP/ci/README.md" && grep -qi "protected" "$TOP/ci/README.md" &&
	grep -q "DOM0KIT_PR_TOKEN" "$TOP/ci/README.md" && grep -q "dom0kit-privileged" "$TOP/ci/README.md"
'

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

# The release job on a throwaway repository: 6.1 (listed first) has a
# patch that changes a line the new release no longer has (no fuzz can
# carry it), 6.12 a patch that carries from 6.12.8 to
# 6.12.107 with an offset. The recorded releases.json is the fixture
# t8000 reads (6.12.107, 6.1.187, 7.2.8 newest).
FIX=$TOP/tests/fixtures/releases
STUB=drivers/xen/xen-pciback/pci_stub.c
R=$TRASH/repo SENT=$TRASH/sent
export FIX STUB R SENT
job() {
	DOM0KIT_RELEASES_JSON=${JSON:-$FIX/current.json} DOM0KIT_CI_PUBLISH=$TRASH/record \
		"$TOP/ci/release-job" --repo "$R" --workdir "$TRASH/w" --outbox "$TRASH/box" --no-debian "$@"
}
# mkpatch LINE NAME OLD-FILE SED: a DEP-3 patch from OLD-FILE to OLD-FILE
# edited by SED, against the file STUB.
mkpatch() {
	mkdir -p "$R/patches/$1" gen
	sed "$4" "$3" >gen/new
	{
		printf 'Description: test patch %s\nAuthor: Test <t@dom0kit.invalid>\n' "$2"
		printf 'Origin: other\nForwarded: not-needed\nLast-Update: 2026-01-01\n\n---\n'
		diff -u --label "a/$STUB" --label "b/$STUB" "$3" gen/new || [ $? = 1 ]
	} >"$R/patches/$1/$2"
}
export -f job mkpatch
# record KIND DIR: stands in for ci/publish (the job's one seam to GitLab
# and GitHub): keeps a copy of what would be sent, in the order sent.
cat >"$TRASH/record" <<EOF
#!/bin/sh
set -e
n=\$(cat "$SENT/calls" 2>/dev/null | wc -l)
cp -r "\$2" "$SENT/\$n-\$1"
echo "\$1 \$(basename "\$2")" >>"$SENT/calls"
EOF
chmod +x "$TRASH/record"

test_expect_success 'release job: bad usage, a dirty patches/, a publisher outside CI: one line each, exit 2' '
	rc=0 && "$TOP/ci/release-job" --frob >out 2>err || rc=$? && test $rc = 2 && one_line err &&
	rc=0 && "$TOP/ci/release-job" --repo /nonexistent >out 2>err || rc=$? && test $rc = 2 && one_line err &&
	grep -q "not a git repository" err &&
	mkdir d && git -C d init -q && mkdir d/patches && echo "6.12 6.12.107" >d/patches/releases &&
	rc=0 && "$TOP/ci/release-job" --repo d >out 2>err || rc=$? && test $rc = 2 && one_line err &&
	grep -q "d/patches has uncommitted changes" err &&
	mkdir pb && echo t >pb/title && echo b >pb/body.md &&
	rc=0 && env -u GITLAB_CI -u GITHUB_ACTIONS "$TOP/ci/publish" report pb >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "nothing sent" err &&
	rc=0 && env -u GITHUB_ACTIONS GITLAB_CI=true "$TOP/ci/publish" report pb >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "DOM0KIT_PUSH_TOKEN is not set.*Developer" err
'

test_expect_success 'release job setup: a repository with a series per line, pins behind the recorded releases' '
	mkdir -p "$R/patches/common" "$SENT" old &&
	printf "# line pin note\n6.1\t6.1.180\tDebian 12 (bookworm)\n6.12\t6.12.8\tDebian 13 (trixie)\n7.2\t7.2.8\tnewest\n" >"$R/patches/releases" &&
	for rel in 6.12.8 6.1.187; do
		"$DOM0KIT" --workdir w0 --kernel $rel fetch >/dev/null &&
		tarball=$(cut -d" " -f2 "w0/state/$rel/source") &&
		mkdir -p old/$rel && tar -xf "$tarball" -C old/$rel --strip-components=1 linux-$rel/$STUB || exit 1
	done &&
	mkpatch 6.12 stub.patch old/6.12.8/$STUB "99a /* dom0kit: hunk 1 */
712a /* dom0kit: hunk 2 */" &&
	echo stub.patch >"$R/patches/6.12/series" &&
	sed "101s/.*/\/* a line that 6.1.180 had *\//" old/6.1.187/$STUB >old/6.1.180.c &&
	mkpatch 6.1 context.patch old/6.1.180.c "101s/.*/\/* dom0kit: changed the old line *\//" &&
	echo context.patch >"$R/patches/6.1/series" &&
	git -C "$R" init -q -b main && git -C "$R" add patches &&
	git -C "$R" -c user.name=t -c user.email=t@dom0kit.invalid commit -q -m base &&
	git -C "$R" rev-parse HEAD >base
'

test_expect_success 'release job: 6.12 proposed on dom0kit/releases, 6.1 reported with its hunk, its pin not moved' '
	rc=0 && job >out 2>err || rc=$? &&
	test $rc = 1 &&
	test_cmp - "$SENT/calls" <<-EOT &&
	proposal proposal
	report report-6.1
	EOT
	grep -qx "dom0kit/releases" "$SENT/0-proposal/branch" &&
	grep -qx "patches: 6.12.107" "$SENT/0-proposal/title" &&
	[ "$(ls "$SENT/0-proposal/commits" | wc -l)" = 1 ] &&
	grep -q "^Subject: \[PATCH\] patches/6.12: carry the series from 6.12.8 to 6.12.107" "$SENT"/0-proposal/commits/*.patch &&
	grep -q "^| 6.12 | 6.12.8 | 6.12.107 |$" "$SENT/0-proposal/body.md" &&
	grep -q "reported for a human: 6.1" "$SENT/0-proposal/body.md" &&
	grep -q "test kernels" "$SENT/0-proposal/body.md" &&
	grep -qx "patches/6.1 does not carry to linux 6.1.187" "$SENT/1-report/title" &&
	grep -q "pin of 6.1 stays at 6.1.180" "$SENT/1-report/body.md" &&
	grep -qF "$(tail -n 1 "$TRASH/w/logs/release-job-6.1.log.err")" "$SENT/1-report/body.md" &&
	grep -q "context.patch" "$SENT/1-report/body.md" && grep -q "Hunk #1 FAILED" "$SENT/1-report/body.md" &&
	grep -q "^+/\* dom0kit: changed the old line \*/" "$SENT/1-report/body.md" &&
	git -C "$R" rev-parse --abbrev-ref HEAD >head && grep -qx dom0kit/releases head &&
	[ "$(git -C "$R" rev-list --count "$(cat base)..dom0kit/releases")" = 1 ] &&
	git -C "$R" show dom0kit/releases:patches/releases >pins.new &&
	grep -q "^6.12	6.12.107	Debian 13 (trixie)$" pins.new &&
	grep -q "^6.1	6.1.180	Debian 12 (bookworm)$" pins.new && grep -q "^7.2	7.2.8	" pins.new &&
	git -C "$R" diff --quiet "$(cat base)" dom0kit/releases -- patches/6.1 &&
	git -C "$R" show dom0kit/releases:patches/6.12/stub.patch | grep -q "^@@ -712,6 +713,7 @@" &&
	[ -z "$(git -C "$R" status --porcelain)" ] &&
	grep -q "6.1: refresh to 6.1.187 failed (exit 1)" out
'

test_expect_success 'release job: 6.1 fixed by hand on main; the next run remakes the same branch: one commit, nothing reported' '
	git -C "$R" checkout -q main && rm -rf "$SENT" && mkdir "$SENT" &&
	sed -i "s/^6.1	6.1.180/6.1	6.1.187/" "$R/patches/releases" && : >"$R/patches/6.1/series" &&
	git -C "$R" -c user.name=t -c user.email=t@dom0kit.invalid commit -q -a -m "6.1: by hand" &&
	git -C "$R" rev-parse HEAD >base2 &&
	job >out 2>err &&
	test_cmp - "$SENT/calls" <<-EOT &&
	proposal proposal
	EOT
	! grep -q "reported for a human" "$SENT/0-proposal/body.md" &&
	[ "$(git -C "$R" rev-list --count "$(cat base2)..dom0kit/releases")" = 1 ] &&
	git -C "$R" merge-base --is-ancestor "$(cat base2)" dom0kit/releases &&
	[ "$(git -C "$R" branch --list | wc -l)" = 2 ] && grep -q "1 line(s) proposed on dom0kit/releases, 0 reported" out
'

test_expect_success 'release job: nothing new sends nothing; a malformed releases.json stops it before any refresh' '
	rm -rf "$SENT" && mkdir "$SENT" &&
	job >out 2>err && grep -q "every pin is up to date; nothing to propose" out && [ ! -e "$SENT/calls" ] &&
	git -C "$R" checkout -q main && head=$(git -C "$R" rev-parse dom0kit/releases) &&
	rc=0 && JSON=$FIX/malformed.json job >out 2>err || rc=$? &&
	test $rc = 4 && grep -q "^ci/release-job: dom0kit releases failed (exit 4); no line refreshed" err &&
	[ ! -e "$SENT/calls" ] && [ "$(git -C "$R" rev-parse dom0kit/releases)" = "$head" ] &&
	git -C "$R" rev-parse --abbrev-ref HEAD | grep -qx main
'

# The release job on the kernel-shaped fixture tree of t8110
# (tests/fixtures/refresh-tree, "6.12.200"), with the recorded
# releases.json review.json: 6.12.201 moves a line that fuzz.patch's
# context has (fuzz 2; the result compiles), and 6.13.1, a new line, is
# 6.12.200 under another version (the series carries as it is).
R2=$TRASH/repo2 XEN=drivers/xen/pciback.c
export R2 XEN DOM0KIT_CONFIGS=$TOP/tests/fixtures/refresh-configs DOM0KIT_NO_CCACHE=1
job2() {
	DOM0KIT_RELEASES_JSON=$FIX/review.json DOM0KIT_CI_PUBLISH=$TRASH/record \
		"$TOP/ci/release-job" --repo "$R2" --workdir "$TRASH/w2" --outbox "$TRASH/box2" \
		--source "dir:$TRASH/trees/linux-%R" --no-debian "$@"
}
# mkfix DIR NAME FILE SED: a DEP-3 patch of FILE of the 6.12.200 tree.
mkfix() {
	mkdir -p "$R2/patches/$1" "gen/$(dirname "$3")"
	sed "$4" "trees/linux-6.12.200/$3" >"gen/$3"
	{
		printf 'Description: test patch %s\nAuthor: Test <t@dom0kit.invalid>\n' "$2"
		printf 'Origin: other\nForwarded: not-needed\nLast-Update: 2026-01-01\n\n---\n'
		diff -u --label "a/$3" --label "b/$3" "trees/linux-6.12.200/$3" "gen/$3" || [ $? = 1 ]
	} >"$R2/patches/$1/$2"
}
export -f job2 mkfix

test_expect_success 'release job setup (fixture trees): 6.12 on 6.12.200; 6.12.201 and the new line 6.13.1' '
	mkdir -p trees && a=trees/linux-6.12.200 b=trees/linux-6.12.201 c=trees/linux-6.13.1 &&
	cp -a "$TOP/tests/fixtures/refresh-tree" $a && cp -a $a $b && cp -a $a $c &&
	sed -i "s/^SUBLEVEL = .*/SUBLEVEL = 201/" $b/Makefile &&
	sed -i -e "4a /* 6.12.201: two lines more, */\\n/* so every hunk below moves by two. */" \
		-e "20s/match by id/match by id or by override/" $b/$XEN &&
	sed -i -e "s/^PATCHLEVEL = .*/PATCHLEVEL = 13/" -e "s/^SUBLEVEL = .*/SUBLEVEL = 1/" $c/Makefile &&
	mkfix common clean.patch drivers/pci/pci.c "9a \\	/* dom0kit: clean */" &&
	mkfix 6.12 offset.patch $XEN "34a \\	/* dom0kit: offset */" &&
	mkfix 6.12 fuzz.patch $XEN "22s/ret = 1;/ret = 2;/" &&
	printf "%s\n" clean.patch offset.patch fuzz.patch >"$R2/patches/6.12/series" &&
	printf "# line pin note\n6.12\t6.12.200\tfixture\n" >"$R2/patches/releases" &&
	git -C "$R2" init -q -b main && git -C "$R2" add patches &&
	git -C "$R2" -c user.name=t -c user.email=t@dom0kit.invalid commit -q -m base &&
	git -C "$R2" rev-parse HEAD >base3 && rm -rf "$SENT" && mkdir "$SENT" &&
	rc=0 && job2 >out2 2>err2 || rc=$? && echo $rc >rc2
'

test_expect_success 'release job: a line whose patch needs fuzz: its proposal committed on dom0kit/releases-review, a draft request, no issue' '
	test "$(cat rc2)" = 1 &&
	test_cmp - "$SENT/calls" <<-EOT &&
	proposal proposal
	proposal review
	EOT
	r=$SENT/1-proposal && grep -qx "dom0kit/releases-review" $r/branch &&
	grep -qx "needs review: patches: 6.12.201" $r/title && grep -qx true $r/draft &&
	grep -qx needs-review $r/labels && grep -qx dom0kit-releases $r/labels &&
	[ "$(ls $r/commits | wc -l)" = 1 ] &&
	git -C "$R2" log -1 --format=%s dom0kit/releases-review >subj &&
	grep -qx "patches/6.12: carry the series from 6.12.200 to 6.12.201 (needs review)" subj &&
	grep -q "^| 6.12 | 6.12.200 | 6.12.201 |$" $r/body.md &&
	grep -q "^fuzz.patch: proposed as patches/6.12/from-6.12.201/fuzz.patch: applies only with fuzz 2" $r/body.md &&
	grep -q "^compile: ok: make W=1" $r/body.md &&
	grep -q "^--- old/fuzz.patch" $r/body.md && grep -q "^+ 	/\\* match by id or by override \\*/" $r/body.md &&
	grep -q "^release-job: 6.12: proposed variants for 6.12.201 need review" out2 &&
	rv=dom0kit/releases-review &&
	[ "$(git -C "$R2" rev-list --count "$(cat base3)..$rv")" = 1 ] &&
	git -C "$R2" diff --name-status "$(cat base3)" $rv >names &&
	test_cmp - names <<-EOT &&
	A	patches/6.12/from-6.12.201/fuzz.patch
	M	patches/6.12/offset.patch
	M	patches/releases
	EOT
	git -C "$R2" show $rv:patches/6.12/from-6.12.201/fuzz.patch >v &&
	grep -qx "X-Applies-To: >= 6.12.201" v && grep -q "^+		ret = 2;" v &&
	git -C "$R2" show $rv:patches/releases | grep -q "^6.12	6.12.201	fixture$" &&
	git -C "$R2" show dom0kit/releases:patches/releases | grep -q "^6.12	6.12.200	fixture$" &&
	! git -C "$R2" cat-file -e dom0kit/releases:patches/6.12/from-6.12.201 2>/dev/null &&
	git -C "$R2" rev-parse --abbrev-ref HEAD | grep -qx dom0kit/releases &&
	[ -z "$(git -C "$R2" status --porcelain)" ] && [ ! -e box2/report-6.12 ]
'

test_expect_success 'release job: a new line in releases.json: refresh --new-line, patches/6.13 and its pin committed on dom0kit/releases' '
	p=$SENT/0-proposal && grep -qx "dom0kit/releases" $p/branch && grep -qx "patches: 6.13.1" $p/title &&
	[ "$(ls $p/commits | wc -l)" = 1 ] &&
	grep -q "^Subject: \[PATCH\] patches/6.13: a new line from 6.12, pinned to 6.13.1" $p/commits/*.patch &&
	grep -q "^| 6.13 | (new line) | 6.13.1 |$" $p/body.md &&
	grep -q "for review on dom0kit/releases-review (a draft request): 6.12" $p/body.md &&
	git -C "$R2" diff --name-status "$(cat base3)" dom0kit/releases >names &&
	test_cmp - names <<-EOT &&
	A	patches/6.13/fuzz.patch
	A	patches/6.13/offset.patch
	A	patches/6.13/series
	M	patches/releases
	EOT
	git -C "$R2" show dom0kit/releases:patches/6.13/series | grep -v "^#" >s13 &&
	test_cmp - s13 <<-EOT &&
	clean.patch
	offset.patch
	fuzz.patch
	EOT
	git -C "$R2" show dom0kit/releases:patches/releases >pins2 &&
	grep -q "^6.13	6.13.1	new line, from 6.12 (dom0kit refresh --new-line)$" pins2 &&
	[ ! -e box2/report-6.13 ] && grep -q "1 line(s) proposed on dom0kit/releases, 0 reported, 1 for review" out2
'
test_done
