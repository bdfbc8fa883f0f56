#!/bin/bash
# Ctrl-C and kill in the patch stage and in a download: TERM (and INT)
# while the source is unpacked, while quilt pops and pushes and while
# curl downloads says "interrupted", exits 130, removes
# its temporaries and leaves the tree as the next run expects; after a
# SIGKILL of dom0kit (and of everything it started) the next run
# recognises what was left. Every rerun gives the tree an uninterrupted
# run gives, and files a changed series does not touch keep their mtime.
# The input is a small generated kernel-like tarball (5000 files) and an
# 80-patch series, so that each phase lasts long enough to be hit.
# About five minutes: make check-interrupt (DOM0KIT_CHECK_INTERRUPT=1)
# runs it with t2070; make check keeps the interrupt cases of configure
# (t3000) and boot-test (t5000).
. "$(dirname "$0")/test-lib.sh"
test_plan 10

if [ -z "${DOM0KIT_CHECK_INTERRUPT:-}" ]; then
	test_skip_all "make check-interrupt runs it"
fi

REL=6.12.107
export REL
cd "$TRASH" || exit 1
# The tree: a top Makefile that says 6.12.107 and 50 dirs of 100 files.
mkdir -p gen/a/linux-$REL && printf 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 107\n' >gen/a/linux-$REL/Makefile
awk -v top="gen/a/linux-$REL" 'BEGIN {
	for (d = 0; d < 50; d++) {
		system("mkdir -p " top "/d" d)
		for (f = 0; f < 100; f++) {
			p = top "/d" d "/f" f ".c"
			for (l = 0; l < 40; l++) printf "/* d%d f%d line %d: some text to fill the file */\n", d, f, l > p
			close(p)
		}
	}}'
tar -czf linux.tar.gz -C gen/a "linux-$REL"
# The series: patch N changes the first line of f0..f2 in dir dN.
mkdir -p p/6.12 && : >p/6.12/series
for n in $(seq 0 79); do
	d=$((n % 50))
	rm -rf gen/x gen/y && mkdir -p gen/x/d$d gen/y/d$d
	for f in 0 1 2; do
		cp gen/a/linux-$REL/d$d/f$f.c gen/x/d$d/
		sed "1s/^/\/* patch $n *\/\n/" gen/a/linux-$REL/d$d/f$f.c >gen/y/d$d/f$f.c
	done
	{ printf 'Description: test %s\n---\n' "$n"; (cd gen && { diff -ruN x y || true; }); } >"p/6.12/$n.patch"
	# Patches of the same dir build on each other.
	cp gen/y/d$d/f*.c gen/a/linux-$REL/d$d/ 2>/dev/null || true
	echo "$n.patch" >>p/6.12/series
done
# Restore the pristine tree's files (the loop above advanced them).
rm -rf gen/a && mkdir -p gen/a && tar -xzf linux.tar.gz -C gen/a

run() { "$DOM0KIT" --workdir "$1" --patches "$TRASH/p" "${@:2}"; }
# digest W: the tree's content (quilt's .pc aside) and the applied series.
digest() {
	(cd "$1/src/linux-$REL" && find . -path ./.pc -prune -o -type f -print | LC_ALL=C sort | xargs sha256sum &&
		cat .pc/applied-patches) | sha256sum
}
# start W ARGS...: dom0kit in the background, its pid in ./pid.
start() { "$DOM0KIT" --workdir "$1" --patches "$TRASH/p" "${@:2}" >"$1.out" 2>"$1.err" & echo $! >pid; }
# until_true CMD: waits up to 60 s for CMD to succeed.
until_true() { local _; for _ in $(seq 600); do "$@" && return 0; sleep 0.1; done; echo "timed out: $*"; return 1; }
# stopped W CODE: dom0kit exited with CODE, and the lock is free (what it
# started is gone, or has finished after a SIGKILL).
stopped() {
	local rc=0
	wait "$(cat pid)" || rc=$?
	[ "$rc" = "$2" ] || { echo "exit $rc, expected $2"; cat "$1.err"; return 1; }
	flock "$1/.lock" true
}
# killall_of PID: SIGKILL to dom0kit and to the job it runs (its own
# process group), as a crash or the OOM killer would.
kill_everything() {
	local pid=$1 kids
	kids=$(pgrep -P "$pid" || true)
	kill -KILL "$pid"
	for k in $kids; do kill -KILL -- "-$k" 2>/dev/null || kill -KILL "$k" 2>/dev/null || true; done
}
unpacking() { compgen -G "$1/src/.unpack.*/d20" >/dev/null; }
pushing() { local c; c=$(grep -c . "$1/src/linux-$REL/.pc/applied-patches" 2>/dev/null) && [ "$c" -ge "$2" ]; }
popped_to() { local c; c=$(grep -c . "$1/src/linux-$REL/.pc/applied-patches" 2>/dev/null) && [ "$c" -le "$2" ]; }
export -f popped_to run digest start until_true stopped kill_everything unpacking pushing

test_expect_success 'setup: an uninterrupted run, the reference' '
	run ref --source tarball:$TRASH/linux.tar.gz fetch >/dev/null &&
	run ref patch >out && grep -q "==> patch done" out &&
	test "$(wc -l <ref/src/linux-$REL/.pc/applied-patches)" = 80 &&
	digest ref >ref.digest
'

test_expect_success 'TERM while unpacking: interrupted, exit 130, no temporaries; the rerun equals the reference' '
	run w1 --source tarball:$TRASH/linux.tar.gz fetch >/dev/null &&
	start w1 patch && until_true unpacking w1 && kill -TERM "$(cat pid)" && stopped w1 130 &&
	one_line w1.err && grep -q "^dom0kit: interrupted during patch" w1.err &&
	[ -z "$(ls -A w1/src | grep -v "^linux-$REL$")" ] && [ ! -e w1/state/$REL/patch.stamp ] &&
	run w1 patch >/dev/null && digest w1 | cmp - ref.digest && [ -z "$(ls -A w1/src | grep "^\.")" ]
'

test_expect_success 'SIGKILL while unpacking: the rerun removes the half tree and equals the reference' '
	run w2 --source tarball:$TRASH/linux.tar.gz fetch >/dev/null &&
	start w2 patch && until_true unpacking w2 && kill_everything "$(cat pid)" && stopped w2 137 &&
	compgen -G "w2/src/.unpack.*" >/dev/null &&
	run w2 patch >/dev/null && digest w2 | cmp - ref.digest && [ -z "$(ls -A w2/src | grep "^\.")" ]
'

test_expect_success 'TERM while quilt pushes, early and late: pristine tree, later stages refuse, the rerun equals the reference' '
	for at in 3 40; do
		rm -rf w3 && run w3 --source tarball:$TRASH/linux.tar.gz fetch >/dev/null &&
		start w3 patch && until_true pushing w3 $at && kill -TERM "$(cat pid)" && stopped w3 130 || exit 1
		one_line w3.err && grep -q "^dom0kit: interrupted during patch" w3.err || exit 1
		! grep -q "does not apply" w3.err w3/logs/patch.log || exit 1
		[ ! -s w3/src/linux-$REL/.pc/applied-patches ] && cmp gen/a/linux-$REL/d2/f1.c w3/src/linux-$REL/d2/f1.c || exit 1
		rc=0 && run w3 --profile qemu configure >/dev/null 2>err || rc=$?
		test $rc = 2 && grep -q "patch stage of $REL did not finish" err || { echo "configure: exit $rc"; cat err; exit 1; }
		run w3 patch >/dev/null && digest w3 | cmp - ref.digest || exit 1
	done
'

test_expect_success 'SIGKILL of everything while quilt pushes: the rerun recovers a half-applied patch' '
	for at in 5 30 60; do
		rm -rf w4 && run w4 --source tarball:$TRASH/linux.tar.gz fetch >/dev/null &&
		start w4 patch && until_true pushing w4 $at && kill_everything "$(cat pid)" && stopped w4 137 || exit 1
		run w4 patch >out 2>err || { cat err; exit 1; }
		digest w4 | cmp - ref.digest || exit 1
	done
'

test_expect_success 'TERM while a changed series is popped and pushed: untouched files keep their mtime' '
	m0=$(stat -c %.9Y ref/src/linux-$REL/d0/f0.c) && m29=$(stat -c %.9Y ref/src/linux-$REL/d29/f0.c) &&
	sed -i "s/patch 79 /patch 79, changed /" p/6.12/79.patch && sleep 1.1 &&
	start ref patch && until_true popped_to ref 70 && kill -TERM "$(cat pid)" && stopped ref 130 &&
	grep -q "^dom0kit: interrupted during patch" ref.err &&
	start ref patch && until_true pushing ref 20 && kill -TERM "$(cat pid)" && stopped ref 130 &&
	grep -q "^dom0kit: interrupted during patch" ref.err &&
	run ref patch >out && grep -q "==> patch done" out && grep -q "patch 79, changed" ref/src/linux-$REL/d29/f0.c &&
	test "$(stat -c %.9Y ref/src/linux-$REL/d0/f0.c)" = "$m0" &&
	test "$(stat -c %.9Y ref/src/linux-$REL/d29/f0.c)" != "$m29"
'

test_expect_success 'a rerun after all that is skipped: the stamp is whole' '
	run ref patch >out && grep -q "patch: inputs unchanged, skipped" out
'
# A download: the kernel.org source from a server on 127.0.0.1 that sends
# 16 KB every 20 ms, signed by a throwaway key.
export GNUPGHOME=$TRASH/gnupg
mkdir -p "$GNUPGHOME" && chmod 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase "" --quick-gen-key "dom0kit test <test@dom0kit.invalid>" ed25519 sign never 2>/dev/null
gpg --batch --quiet --armor --export test@dom0kit.invalid >key.asc
mkdir -p srv/linux-$REL && cp gen/a/linux-$REL/Makefile srv/linux-$REL/ && head -c 2000000 /dev/urandom >srv/linux-$REL/blob
(cd srv && tar -cf linux-$REL.tar linux-$REL && gpg --batch --quiet --armor --detach-sign -o linux-$REL.tar.sign linux-$REL.tar && xz -0 -f linux-$REL.tar)
cat >slow.py <<'EOF'
import http.server, sys, time
class H(http.server.SimpleHTTPRequestHandler):
    def copyfile(self, src, dst):
        while True:
            b = src.read(16384)
            if not b:
                break
            dst.write(b)
            time.sleep(0.02)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), lambda *a: H(*a, directory=sys.argv[2])).serve_forever()
EOF
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 slow.py "$PORT" "$TRASH/srv" >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
for _ in $(seq 30); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/linux-$REL.tar.sign" && break; sleep 0.2; done
export DOM0KIT_KERNEL_ORG_URL=http://127.0.0.1:$PORT
# dl W / startdl W: the download into W's own cache, in the foreground or
# the background (pid in ./pid).
dl() { DOM0KIT_CACHE=$TRASH/$1.cache "$DOM0KIT" --workdir "$1" --source kernel.org fetch --keyring="$TRASH/key.asc"; }
startdl() { DOM0KIT_CACHE=$TRASH/$1.cache "$DOM0KIT" --workdir "$1" --source kernel.org fetch --keyring="$TRASH/key.asc" >"$1.out" 2>"$1.err" & echo $! >pid; }
downloading() { local f; for f in "$1".cache/sources/.kernel-org.*/"linux-$REL.tar.xz"; do [ -s "$f" ] && return 0; done; return 1; }
# fetched W: the cached tarball is the served one, and nothing else is left.
fetched() {
	cmp "$1.cache/sources/linux-$REL.tar.xz" srv/linux-$REL.tar.xz &&
		test "$(sha256sum <"$1.cache/sources/linux-$REL.tar.xz")" = "$(cat dl.sha)" &&
		! compgen -G "$1.cache/sources/.*[!.]*" >/dev/null && grep -q "^tarball " "$1/state/$REL/source"
}
export -f dl startdl downloading fetched

test_expect_success 'download: an uninterrupted fetch is the reference' '
	dl d0 >/dev/null && sha256sum <d0.cache/sources/linux-$REL.tar.xz >dl.sha && fetched d0
'

# SIGINT reaches a background job only with job control (set -m): a
# script's background jobs ignore it, as they do for a user's Ctrl-C.
test_expect_success 'download: TERM and INT while curl downloads: interrupted, exit 130, nothing cached or left; the rerun fetches the same bytes' '
	for sig in TERM INT; do
		rm -rf d1 d1.cache && set -m && startdl d1 && set +m &&
		until_true downloading d1 && kill -$sig "$(cat pid)" && stopped d1 130 || exit 1
		one_line d1.err && grep -q "^dom0kit: interrupted during fetch" d1.err || exit 1
		[ ! -e d1.cache/sources/linux-$REL.tar.xz ] && [ -z "$(ls -A d1.cache/sources)" ] && [ ! -e d1/state/$REL/source ] || exit 1
		dl d1 >/dev/null && fetched d1 || exit 1
	done
'

test_expect_success 'download: SIGKILL of everything while curl downloads: the rerun removes the partial download and fetches the same bytes' '
	startdl d2 && until_true downloading d2 && kill_everything "$(cat pid)" && stopped d2 137 &&
	compgen -G "d2.cache/sources/.kernel-org.*" >/dev/null &&
	dl d2 >/dev/null && fetched d2
'
test_done
