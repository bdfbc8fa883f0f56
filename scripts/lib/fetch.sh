# shellcheck shell=bash
# fetch: gets the pristine kernel source for RELEASE into the cache,
# verifies it (again on every reuse) and records where it is in
# STATEDIR/source for the patch stage.

# shellcheck source=scripts/lib/apt-private.sh
. "$LIB/apt-private.sh"
# shellcheck source=scripts/lib/fetch-signed.sh
. "$LIB/fetch-signed.sh"

help_fetch() {
	cat <<'H'
Usage: dom0kit fetch [--kernel SPEC] [--source SRC]
Sources:
  debian          linux_X.Y.Z.orig.tar.xz through a private apt setup in the
                  cache; apt checks the signed indices and the checksum.
                  When the mirror no longer serves every file of the
                  Debian versions that carry X.Y.Z (a backports
                  .debian.tar.xz 404), the orig comes straight from the
                  pool that serves it, checked against the signed index
  kernel.org      linux-X.Y.Z.tar.xz + .tar.sign, checked with gpg against
                  scripts/keys/kernel.org/*.asc (--keyring FILE to override;
                  DOM0KIT_KERNEL_ORG_URL sets the URL base)
  git:URL@TAG     a tag of a git tree (verified with --keyring when given)
  tarball:PATH    a local kernel tarball
  dir:PATH        a local kernel tree
Downloads are cached in ${XDG_CACHE_HOME:-~/.cache}/dom0kit/sources.
Writes: WORKDIR/state/RELEASE/source
H
}
FETCH_KEYRING=
args_fetch() {
	while [ $# -gt 0 ]; do
		case $1 in
		--keyring=*) FETCH_KEYRING=${1#--keyring=} ;;
		*) die "$EXIT_USAGE" "unknown option for fetch: $1 (use --keyring=FILE)" ;;
		esac
		shift
	done
}

SOURCES_CACHE=$DOM0KIT_CACHE/sources

# tree_release DIR-or-TARBALL: the X.Y.Z the top Makefile declares.
makefile_release() {
	awk -F' *= *' '$1=="VERSION"{v=$2} $1=="PATCHLEVEL"{p=$2} $1=="SUBLEVEL"{s=$2}
		END {if (v != "") printf "%s.%s.%s\n", v, p, s}'
}
check_release_matches() {
	local what=$1 found=$2
	[ -n "$found" ] || die "$EXIT_FETCH" "$what: not a kernel tree (no VERSION in its top Makefile)"
	found=${found%.0}
	[ "$found" = "$RELEASE" ] ||
		die "$EXIT_USAGE" "$what holds linux $found, not $RELEASE: pass --kernel $found"
}

# Debian: find the Debian version that carries upstream RELEASE, and the
# sha256 of its orig tarball as the signed Sources index states it.
debian_orig_sha256() {
	apt_private apt-cache showsrc linux 2>/dev/null | awk -v rel="$RELEASE" -v f="linux_$RELEASE.orig.tar.xz" '
		/^Version: / { v = $2; u = v; sub(/-[^-]*$/, "", u) }
		/^Checksums-Sha256:/ { sums = 1; next }
		sums && /^ / { if ($3 == f && u == rel && !found) { print v, $1; found = 1 } next }
		{ sums = 0 }'
}

# debian_orig_entries: "version sha256 directory file..." for every
# Debian version whose source record lists linux_RELEASE.orig.tar.xz, in
# the indices' order; the files are all those the record names.
debian_orig_entries() {
	apt_private apt-cache showsrc linux 2>/dev/null | awk -v rel="$RELEASE" -v f="linux_$RELEASE.orig.tar.xz" '
		BEGIN { RS = ""; FS = "\n" }
		{
			v = d = s = files = ""; sums = 0
			for (i = 1; i <= NF; i++) {
				l = $i
				if (l ~ /^Version: /) v = substr(l, 10)
				else if (l ~ /^Directory: /) d = substr(l, 12)
				else if (l ~ /^Checksums-Sha256:/) sums = 1
				else if (sums && l ~ /^ /) { split(l, a, " "); files = files " " a[3]; if (a[3] == f) s = a[1] }
				else sums = 0
			}
			u = v; sub(/-[^-]*$/, "", u)
			if (u == rel && s != "" && !seen[v d]++) print v, s, d files
		}'
}

# pool_url DIR: the mirror that serves Debian's pool directory DIR.
pool_url() {
	case $1 in pool/updates/*) echo "$DEBIAN_SECURITY_MIRROR/$1" ;; *) echo "$DEBIAN_MIRROR/$1" ;; esac
}

# served URL: the mirror answers for URL (a HEAD request).
served() { curl -fsI --max-time 20 -o /dev/null "$1" 2>/dev/null; }

# debian_pick ENTRIES: how to get the orig, from debian_orig_entries'
# lines. "apt VERSION SHA" for the first version whose every file the
# mirror serves (apt-get source needs them all); else "pool URL SHA
# VERSION MISSING" for the first directory that serves the orig itself
# (MISSING: a file of VERSION that is 404); else "none VERSION MISSING".
debian_pick() {
	local version sha dir files f missing='' first='' fallback=''
	while read -r version sha dir files; do
		[ -n "$version" ] || continue
		missing=''
		# The orig first: when it is gone, it is the file to name.
		for f in "linux_$RELEASE.orig.tar.xz" $files; do
			served "$(pool_url "$dir")/$f" || { missing=$f; break; }
		done
		if [ -z "$missing" ]; then
			echo "apt $version $sha"
			return 0
		fi
		[ -n "$first" ] || first="$version $missing"
		if [ -z "$fallback" ] && [ "$missing" != "linux_$RELEASE.orig.tar.xz" ]; then
			fallback="$(pool_url "$dir")/linux_$RELEASE.orig.tar.xz $sha"
		fi
	done <<<"$1"
	if [ -n "$fallback" ]; then echo "pool $fallback $first"; else echo "none $first"; fi
}

# fetch_orig_from_pool URL SHA VERSION MISSING: the orig straight from
# the pool into the cache, checked against the signed index's sha256
# (apt verified the index); for releases whose Debian package lost a file
# (a backports .debian.tar.xz 404) while the orig is still there.
fetch_orig_from_pool() {
	local url=$1 sha=$2 version=$3 missing=$4 orig=$SOURCES_CACHE/linux_$RELEASE.orig.tar.xz tmp
	mkdir -p "$SOURCES_CACHE"
	tmp=$(mktemp -d "$SOURCES_CACHE/.apt.$$.XXXXXX")
	if ! curl -fsS --max-time 1800 -o "$tmp/orig" "$url" 2>"$WORKDIR/logs/fetch-apt.log"; then
		rm -rf "$tmp"
		die "$EXIT_FETCH" "download of $url failed: $(tail -n 1 "$WORKDIR/logs/fetch-apt.log")"
	fi
	if [ "$(sha256_of "$tmp/orig")" != "$sha" ]; then
		rm -rf "$tmp"
		die "$EXIT_FETCH" "linux_$RELEASE.orig.tar.xz from $url does not match the checksum in Debian's signed index; removed"
	fi
	mv -f "$tmp/orig" "$orig"
	rm -rf "$tmp"
	warn "apt-get source cannot fetch linux $RELEASE (the mirror does not serve $missing of linux=$version): took linux_$RELEASE.orig.tar.xz from ${url%/*}/, sha256 as in Debian's signed index"
	echo "tarball $orig"
}

# fetch_debian_plan: what fetch_debian would do, from the indices already
# in the cache, downloading and removing nothing.
fetch_debian_plan() {
	local orig=$SOURCES_CACHE/linux_$RELEASE.orig.tar.xz entry='' version sha
	if [ -f "$DOM0KIT_CACHE/apt-src/etc/sources.list" ]; then
		apt_root src
		# apt-cache would write its binary caches: none in a dry run.
		APT_OPTS+=(-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=)
		entry=$(debian_orig_sha256)
	fi
	if [ -z "$entry" ]; then
		echo "would fetch: read Debian's source indices from $DEBIAN_MIRROR, then ${orig:+verify or }download linux_$RELEASE.orig.tar.xz (no indices in the cache that list it)"
		return 0
	fi
	read -r version sha <<<"$entry"
	if [ -f "$orig" ] && [ "$(sha256_of "$orig")" = "$sha" ]; then
		echo "tarball $orig"
	elif [ -f "$orig" ]; then
		echo "would fetch: remove the cached $orig (it does not match Debian's checksum) and download linux=$version again"
	else
		echo "would fetch: apt-get source --download-only linux=$version (linux_$RELEASE.orig.tar.xz)"
	fi
}

fetch_debian() {
	local orig=$SOURCES_CACHE/linux_$RELEASE.orig.tar.xz entry version sha tmp
	if [ -n "$OPT_DRY_RUN" ]; then
		fetch_debian_plan
		return 0
	fi
	apt_root src
	apt_update_if_old
	entry=$(debian_orig_sha256)
	if [ -z "$entry" ]; then
		apt_update_if_old force
		entry=$(debian_orig_sha256)
	fi
	[ -n "$entry" ] || die "$EXIT_USAGE" "linux $RELEASE is not in Debian's source indices (bookworm, trixie, sid, backports, security); releases listed for $LINE: $(apt_private apt-cache showsrc linux 2>/dev/null |
		awk -v l="$LINE" '/^Version: /{u=$2; sub(/-[^-]*$/,"",u); sub(/~.*/,"",u); if (index(u, l".")==1) print u}' | sort -uV | tr '\n' ' ')"
	read -r version sha <<<"$entry"
	if [ -f "$orig" ]; then
		if [ "$(sha256_of "$orig")" = "$sha" ]; then
			echo "tarball $orig"
			return 0
		fi
		warn "cached $orig does not match Debian's checksum; removed, downloading again"
		rm -f "$orig"
	fi
	# Debian may list a release under several versions (trixie, security,
	# backports) of which the mirror no longer serves every file.
	local pick how a b c d missing=linux_$RELEASE.orig.tar.xz
	pick=$(debian_pick "$(debian_orig_entries)")
	read -r how a b c d <<<"$pick"
	case $how in
	apt) version=$a ;;
	pool) fetch_orig_from_pool "$a" "$b" "$c" "$d"; return 0 ;;
	none) version=$a missing=${b:-$missing} ;;
	esac
	mkdir -p "$SOURCES_CACHE"
	tmp=$(mktemp -d "$SOURCES_CACHE/.apt.$$.XXXXXX")
	if ! (cd "$tmp" && apt_private apt-get source --download-only -q "linux=$version") >"$WORKDIR/logs/fetch-apt.log" 2>&1; then
		rm -rf "$tmp"
		if grep -q '404' "$WORKDIR/logs/fetch-apt.log"; then
			die "$EXIT_FETCH" "Debian lists linux $version but its mirror does not serve $missing (404 Not Found)"
		fi
		die "$EXIT_FETCH" "download of linux_$RELEASE.orig.tar.xz failed: $(grep -E '^(E|W):' "$WORKDIR/logs/fetch-apt.log" | head -n 1)"
	fi
	# apt checked the hash already; checking again costs a second and
	# guards against a mirror that served the wrong file under the name.
	if [ "$(sha256_of "$tmp/linux_$RELEASE.orig.tar.xz")" != "$sha" ]; then
		rm -rf "$tmp"
		die "$EXIT_FETCH" "linux_$RELEASE.orig.tar.xz does not match the checksum in Debian's signed index; removed"
	fi
	mv -f "$tmp/linux_$RELEASE.orig.tar.xz" "$orig"
	rm -rf "$tmp"
	echo "tarball $orig"
}

fetch_local_tarball() {
	local path=$1
	[ -f "$path" ] || die "$EXIT_USAGE" "no such tarball: $path"
	path=$(readlink -f "$path")
	local mk
	mk=$(tar -xOf "$path" --wildcards --no-wildcards-match-slash '*/Makefile' 2>/dev/null | head -n 10) ||
		true
	[ -n "$mk" ] || die "$EXIT_FETCH" "corrupt or unreadable tarball: $path"
	check_release_matches "$path" "$(makefile_release <<<"$mk")"
	echo "tarball $path"
}

fetch_local_dir() {
	local path=$1
	[ -d "$path" ] || die "$EXIT_USAGE" "no such directory: $path"
	path=$(readlink -f "$path")
	[ -f "$path/Makefile" ] || die "$EXIT_FETCH" "$path: not a kernel tree (no Makefile)"
	check_release_matches "$path" "$(head -n 10 "$path/Makefile" | makefile_release)"
	echo "dir $path"
}

# fetch_clean_stale: temporaries of killed fetches (their pid is gone);
# the cache is shared by every work dir, so a live run's stay.
fetch_clean_stale() {
	local t pid
	for t in "$SOURCES_CACHE"/.apt.* "$SOURCES_CACHE"/.kernel-org.* "$SOURCES_CACHE"/.git.*; do
		pid=${t#"$SOURCES_CACHE"/.*.} pid=${pid%%.*}
		[[ $pid =~ ^[0-9]+$ ]] || continue
		kill -0 "$pid" 2>/dev/null || rm -rf "$t"
	done
}

# fetch_source: the source line of --source on stdout.
fetch_source() {
	case $OPT_SOURCE in
	debian) fetch_debian ;;
	kernel.org) fetch_kernel_org ;;
	git:*@*) fetch_git "${OPT_SOURCE#git:}" ;;
	tarball:?*) fetch_local_tarball "${OPT_SOURCE#tarball:}" ;;
	dir:?*) fetch_local_dir "${OPT_SOURCE#dir:}" ;;
	*) die "$EXIT_USAGE" "unknown source: $OPT_SOURCE" ;; # the dispatcher checked it
	esac
}

# planned_source_line: the source line a real fetch would record, for
# the patch stage's plan.
planned_source_line() {
	case $OPT_SOURCE in
	debian) echo "tarball $SOURCES_CACHE/linux_$RELEASE.orig.tar.xz" ;;
	kernel.org) echo "tarball $SOURCES_CACHE/linux-$RELEASE.tar.xz" ;;
	git:*@*) echo "tarball $SOURCES_CACHE/git-$(printf '%s' "${OPT_SOURCE#git:}" | sha256sum | cut -c1-16)-${OPT_SOURCE##*@}.tar" ;;
	esac
}

cmd_fetch() {
	local source_line out rc=0
	ensure_deps fetch
	stage_begin fetch
	if [ -n "$OPT_DRY_RUN" ]; then
		source_line=$(fetch_source)
		# shellcheck disable=SC2034 # DRY_SOURCE is read by cmd_patch
		case $source_line in
		would*) echo "$source_line"; DRY_SOURCE=$(planned_source_line) ;;
		*) echo "would fetch: use $source_line"; DRY_SOURCE=$source_line ;;
		esac
		return 0
	fi
	mkdir -p "$STATEDIR"
	fetch_clean_stale
	# A job of its own, so that INT and TERM stop a download at once; its
	# temporaries carry this run's pid.
	out=$(mktemp "$STATEDIR/.source.XXXXXX")
	# shellcheck disable=SC2016,SC2034 # expanded by on_interrupt
	STAGE_UNDO='rm -rf "$out" "$SOURCES_CACHE"/.*.$$.*'
	run_child fetch_source >"$out" || { rc=$?; rm -f "$out"; exit "$rc"; }
	source_line=$(cat "$out")
	rm -f "$out"
	# The source line names the input of patch; its digest joins the stamp.
	printf '%s\n' "$source_line" | write_atomic "$STATEDIR/source"
	stage_end fetch
}
