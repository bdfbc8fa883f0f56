#!/bin/bash
# fetch: Debian's pristine tarball through the private apt setup, the
# kernel.org tarball with its signature, git tags and local trees; every
# bad download is refused with one line and leaves nothing behind.
. "$(dirname "$0")/test-lib.sh"
test_plan 21

REAL_CACHE=${DOM0KIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dom0kit}
# A private copy of the apt indices, so that tests which spoil the cache
# neither touch the real one nor download the indices again.
private_cache() {
	mkdir -p "$1" && if [ -d "$REAL_CACHE/apt-src" ]; then cp -a "$REAL_CACHE/apt-src" "$1/"; fi
}
# fails CODE PATTERN CMD...: one line on stderr, matching, that exit code.
fails() {
	local code=$1 pattern=$2 rc=0; shift 2
	"$@" >stdout 2>stderr || rc=$?
	[ "$rc" -eq "$code" ] || { echo "exit $rc, expected $code"; cat stderr; return 1; }
	one_line stderr && grep -E -- "$pattern" stderr
}

test_expect_success 'debian: the pinned 6.12 release comes through the private apt setup' '
	DOM0KIT_CACHE=$REAL_CACHE "$DOM0KIT" --workdir w fetch >out &&
	grep -q "^tarball $REAL_CACHE/sources/linux_6.12.107.orig.tar.xz$" w/state/6.12.107/source &&
	xz -t "$REAL_CACHE/sources/linux_6.12.107.orig.tar.xz" &&
	grep -q "deb-src \[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg\] http://deb.debian.org/debian trixie main" "$REAL_CACHE/apt-src/etc/sources.list" &&
	grep -q "^==> fetch done" out
'

# The reference is made before the run (the fetch rewrites its own state
# files) and the run starts a clock tick later: a file written, created,
# removed (its directory changes) or chmodded under /etc/apt shows up.
test_expect_success 'debian: /etc/apt is never touched' '
	touch ref && sleep 0.1 &&
	DOM0KIT_CACHE=$REAL_CACHE "$DOM0KIT" --workdir w fetch >/dev/null &&
	find /etc/apt -newer ref -o -cnewer ref >touched &&
	test_cmp /dev/null touched
'

# A dry run reads only: old indices are not updated, a corrupt cached
# tarball is not removed, nothing is downloaded or written.
test_expect_success 'debian: a dry run downloads and removes nothing, and says what the real run would' '
	private_cache c0 && mkdir -p c0/sources &&
	head -c 1000000 "$REAL_CACHE/sources/linux_6.12.107.orig.tar.xz" >c0/sources/linux_6.12.107.orig.tar.xz &&
	touch -d "2 days ago" c0/apt-src/updated && touch -d "1 hour ago" ref && find c0 -exec touch -h -d "1 day ago" {} + &&
	DOM0KIT_CACHE=$PWD/c0 "$DOM0KIT" --workdir w0 --dry-run fetch >plan 2>err &&
	grep -q "^would fetch: remove the cached .*linux_6.12.107.orig.tar.xz (it does not match Debian.s checksum) and download" plan &&
	test_cmp /dev/null err &&
	test "$(find c0 -newer ref | wc -l)" = 0 && [ ! -e w0 ] &&
	test "$(stat -c %s c0/sources/linux_6.12.107.orig.tar.xz)" = 1000000
'

test_expect_success 'debian: a corrupted cached tarball is detected, removed and fetched again' '
	private_cache c1 && mkdir -p c1/sources &&
	head -c 1000000 "$REAL_CACHE/sources/linux_6.12.107.orig.tar.xz" >c1/sources/linux_6.12.107.orig.tar.xz &&
	DOM0KIT_CACHE=$PWD/c1 "$DOM0KIT" --workdir w1 fetch >out 2>err &&
	grep -q "does not match Debian.s checksum; removed" err &&
	cmp c1/sources/linux_6.12.107.orig.tar.xz "$REAL_CACHE/sources/linux_6.12.107.orig.tar.xz"
'

test_expect_success 'debian: a release the mirror lists but does not serve (404)' '
	private_cache c2 &&
	DOM0KIT_CACHE=$PWD/c2 fails 4 "mirror does not serve linux_6.12.113.orig.tar.xz \(404 Not Found\)" \
		"$DOM0KIT" --workdir w2 --outdir out2 --kernel 6.12.113 fetch &&
	[ -z "$(ls -A c2/sources 2>/dev/null)" ] && [ ! -e out2 ]
'

# 6.12.74: Debian lists 6.12.74-2~bpo12+1 (main pool: orig served, its
# .debian.tar.xz 404) and 6.12.74-2 (security pool: its own files
# served, the orig 404 there). apt-get source fails on either; the orig
# comes from the pool that serves it, checked against the signed index.
test_expect_success 'debian: a release whose package files are partly gone: the orig from the pool that serves it' '
	private_cache c5 &&
	DOM0KIT_CACHE=$PWD/c5 "$DOM0KIT" --workdir w5 --kernel 6.12.74 fetch >out 2>err &&
	grep -q "^tarball $PWD/c5/sources/linux_6.12.74.orig.tar.xz$" w5/state/6.12.74/source &&
	grep -q "linux_6.12.74.orig.tar.xz from http://deb.debian.org/debian/pool/main/l/linux/, sha256 as in Debian.s signed index" err &&
	sha=$(DOM0KIT_CACHE=$PWD/c5 "$DOM0KIT" --workdir w5 --kernel 6.12.74 --dry-run fetch | sed -n "s/^would fetch: use tarball //p") &&
	test "$sha" = "$PWD/c5/sources/linux_6.12.74.orig.tar.xz" &&
	test "$(sha256sum <c5/sources/linux_6.12.74.orig.tar.xz | cut -d" " -f1)" = b12440d62ef47193c3c8ae5b8dbb76cfcd1084bbb54d6c64a485aed07ecec708 &&
	[ -z "$(ls -A c5/sources | grep -v "^linux_6.12.74.orig.tar.xz$")" ] &&
	rm -rf c5/sources
'

test_expect_success 'debian: a release Debian does not list' '
	private_cache c3 &&
	DOM0KIT_CACHE=$PWD/c3 fails 2 "linux 6.12.999 is not in Debian.s source indices.*6\.12\.107" \
		"$DOM0KIT" --workdir w3 --kernel 6.12.999 fetch
'

test_expect_success 'debian: an unreachable mirror' '
	DOM0KIT_CACHE=$PWD/c4 DOM0KIT_DEBIAN_MIRROR=http://127.0.0.1:9/debian DOM0KIT_DEBIAN_SECURITY_MIRROR=http://127.0.0.1:9/debian-security \
		fails 4 "cannot read Debian.s indices from http://127.0.0.1:9/debian" "$DOM0KIT" --workdir w4 fetch
'

# kernel.org: a throwaway key signs a small tree served on 127.0.0.1.
export GNUPGHOME=$TRASH/gnupg
mkdir -p "$GNUPGHOME" && chmod 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase "" --quick-gen-key "dom0kit test <test@dom0kit.invalid>" ed25519 sign never 2>/dev/null
gpg --batch --quiet --armor --export test@dom0kit.invalid >"$TRASH/test-key.asc"
mkdir -p "$TRASH/srv/good/linux-6.12.107" "$TRASH/srv/bad" "$TRASH/srv/unsigned"
printf 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 107\n' >"$TRASH/srv/good/linux-6.12.107/Makefile"
(cd "$TRASH/srv/good" && tar -cf linux-6.12.107.tar linux-6.12.107 && gpg --batch --quiet --armor --detach-sign -o linux-6.12.107.tar.sign linux-6.12.107.tar && xz -f linux-6.12.107.tar)
# bad: the signature of another tar beside this tarball
cp "$TRASH/srv/good/linux-6.12.107.tar.xz" "$TRASH/srv/bad/"
echo other >"$TRASH/other" && gpg --batch --quiet --armor --detach-sign -o "$TRASH/srv/bad/linux-6.12.107.tar.sign" "$TRASH/other"
cp "$TRASH/srv/good/linux-6.12.107.tar.xz" "$TRASH/srv/unsigned/"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$TRASH/srv" "$PORT" >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
for _ in 1 2 3 4 5 6 7 8 9 10; do curl -fs "http://127.0.0.1:$PORT/" >/dev/null && break; sleep 0.3; done
export PORT

test_expect_success 'kernel.org: a tarball with a good signature is accepted and cached' '
	DOM0KIT_CACHE=$PWD/k1 DOM0KIT_KERNEL_ORG_URL=http://127.0.0.1:$PORT/good \
		"$DOM0KIT" --workdir k --source kernel.org fetch --keyring="$TRASH/test-key.asc" >out &&
	grep -q "^tarball $PWD/k1/sources/linux-6.12.107.tar.xz$" k/state/6.12.107/source &&
	[ -f k1/sources/linux-6.12.107.tar.xz.sign ]
'

test_expect_success 'kernel.org: the cached tarball is verified again on reuse' '
	DOM0KIT_CACHE=$PWD/k1 DOM0KIT_KERNEL_ORG_URL=http://127.0.0.1:9/none \
		"$DOM0KIT" --workdir k --source kernel.org fetch --keyring="$TRASH/test-key.asc" &&
	printf "\0" | dd of=k1/sources/linux-6.12.107.tar.xz bs=1 seek=100 conv=notrunc 2>/dev/null &&
	DOM0KIT_CACHE=$PWD/k1 fails 4 "cached linux-6.12.107.tar.xz failed its signature check on reuse; removed" \
		"$DOM0KIT" --workdir k --source kernel.org fetch --keyring="$TRASH/test-key.asc" &&
	[ ! -e k1/sources/linux-6.12.107.tar.xz ]
'

test_expect_success 'kernel.org: a bad signature is rejected and nothing is cached' '
	DOM0KIT_CACHE=$PWD/k2 DOM0KIT_KERNEL_ORG_URL=http://127.0.0.1:$PORT/bad \
		fails 4 "bad or missing signature on linux-6.12.107.tar.xz" \
		"$DOM0KIT" --workdir k2w --source kernel.org fetch --keyring="$TRASH/test-key.asc" &&
	[ -z "$(ls -A k2/sources)" ]
'

test_expect_success 'kernel.org: a tarball signed by a key we do not ship is rejected' '
	DOM0KIT_CACHE=$PWD/k3 DOM0KIT_KERNEL_ORG_URL=http://127.0.0.1:$PORT/good \
		fails 4 "bad or missing signature" "$DOM0KIT" --workdir k3w --source kernel.org fetch
'

test_expect_success 'kernel.org: an unsigned tarball (no .tar.sign) is rejected' '
	DOM0KIT_CACHE=$PWD/k4 DOM0KIT_KERNEL_ORG_URL=http://127.0.0.1:$PORT/unsigned \
		fails 4 "cannot download http://127.0.0.1:$PORT/unsigned/linux-6.12.107.tar.sign" \
		"$DOM0KIT" --workdir k4w --source kernel.org fetch --keyring="$TRASH/test-key.asc" &&
	[ -z "$(ls -A k4/sources)" ]
'

test_expect_success 'kernel.org: an unreachable server' '
	DOM0KIT_CACHE=$PWD/k5 DOM0KIT_KERNEL_ORG_URL=http://127.0.0.1:9/x \
		fails 4 "cannot download http://127.0.0.1:9/x/linux-6.12.107.tar.xz" \
		"$DOM0KIT" --workdir k5w --source kernel.org fetch --keyring="$TRASH/test-key.asc"
'

test_expect_success 'the shipped kernel.org key is Greg Kroah-Hartman.s stable signing key' '
	gpg --show-keys --with-colons "$TOP"/scripts/keys/kernel.org/*.asc | grep -q "^fpr:*647F28654894E3BD457199BE38DBBDC86092693E:"
'

test_expect_success 'git: a tag of a local repository' '
	git init -q repo && cp "$TRASH/srv/good/linux-6.12.107/Makefile" repo/ &&
	git -C repo add Makefile && git -C repo -c user.name=t -c user.email=t@t commit -qm init &&
	git -C repo tag v6.12.107 &&
	DOM0KIT_CACHE=$PWD/g1 "$DOM0KIT" --workdir g --source "git:$PWD/repo@v6.12.107" fetch &&
	tar -tf "$(cut -d" " -f2 g/state/6.12.107/source)" | grep -q "^linux-6.12.107/Makefile$"
'

test_expect_success 'git: an unsigned tag is refused when keys are configured' '
	DOM0KIT_CACHE=$PWD/g2 fails 4 "tag v6.12.107 of .* has no good signature" \
		"$DOM0KIT" --workdir g2w --source "git:$PWD/repo@v6.12.107" fetch --keyring="$TRASH/test-key.asc"
'

test_expect_success 'git: a signed tag is accepted when keys are configured' '
	key=$(gpg --list-keys --with-colons test@dom0kit.invalid | awk -F: "/^fpr/ {print \$10; exit}") &&
	git -C repo -c user.name=t -c user.email=test@dom0kit.invalid -c user.signingkey=$key tag -s -m signed v6.12.107s &&
	DOM0KIT_CACHE=$PWD/g3 "$DOM0KIT" --workdir g3w --source "git:$PWD/repo@v6.12.107s" fetch --keyring="$TRASH/test-key.asc"
'

test_expect_success 'git: a missing tag' '
	DOM0KIT_CACHE=$PWD/g4 fails 4 "cannot clone tag v9 of" "$DOM0KIT" --workdir g4w --source "git:$PWD/repo@v9" fetch
'

test_expect_success 'tarball: a corrupt local tarball' '
	head -c 5000 /dev/urandom >junk.tar.xz &&
	fails 4 "corrupt or unreadable tarball: .*junk.tar.xz" "$DOM0KIT" --workdir t --source tarball:junk.tar.xz fetch
'

test_expect_success 'tarball and dir: a tree of another release' '
	mkdir -p otherrel && printf "VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 50\n" >otherrel/Makefile &&
	fails 2 "holds linux 6.12.50, not 6.12.107: pass --kernel 6.12.50" "$DOM0KIT" --workdir t --source dir:otherrel fetch &&
	"$DOM0KIT" --workdir t --kernel 6.12.50 --source dir:otherrel fetch >/dev/null &&
	tar -cJf otherrel.tar.xz otherrel &&
	"$DOM0KIT" --workdir t --kernel 6.12.50 --source tarball:otherrel.tar.xz fetch >/dev/null
'
test_done
