#!/bin/bash
# shellcheck shell=bash
# release-check: for every release of every line that Debian's mirror
# serves (or the ones named), fetch, patch (with the variants meant for
# it), configure the qemu profile and compile drivers/xen/ and
# drivers/pci/ with W=1. One line of result per release; the tree, the
# build and a tarball that is not a pin are deleted after each, so the
# run needs the disk of one release at a time. Run by `make
# check-releases` (tests/t8300-check-releases.sh) and the CI jobs.
set -euo pipefail
shopt -s nullglob

DOM0KIT_TOP=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
LIB=$DOM0KIT_TOP/scripts/lib
DOM0KIT=$DOM0KIT_TOP/scripts/dom0kit
# shellcheck source=scripts/lib/common.sh
. "$LIB/common.sh"
# shellcheck source=scripts/lib/lines.sh
. "$LIB/lines.sh"
# shellcheck source=scripts/lib/deps.sh
. "$LIB/deps.sh"
# shellcheck source=scripts/lib/releases.sh
. "$LIB/releases.sh"

rc_usage() {
	cat <<'H'
Usage: scripts/lib/release-check.sh [--kernel LINE|RELEASE]... [--workdir DIR]
                                    [--jobs N] [--table FILE] [--dry-run]
For every release Debian's mirror serves of each --kernel LINE (default:
every line of patches/releases), or each --kernel X.Y.Z given: dom0kit
fetch, patch, configure --profile qemu, then make W=1 drivers/xen/
drivers/pci/ in that tree. Prints one line per release:
  RELEASE  ok|FAIL  STEP  seconds  detail
and with --table FILE appends the same as Markdown table rows. After each
release its tree, build dir and state go, and its tarball too unless it
is a pin of patches/releases or was in the cache before. --dry-run lists
the releases it would check. Work dir default: ./work-releases.
Exit: 0 when every release passed, 1 when any failed, 2 bad usage,
4 when Debian's indices cannot be read.
H
}

# orig_from_pool RELEASE URL: the orig tarball straight from the pool,
# checked against the sha256 of Debian's signed index. For the releases
# whose backports .debian.tar.xz the mirror no longer serves (apt-get
# source, and so dom0kit fetch, fail on it while the orig is there).
orig_from_pool() {
	local rel=$1 url=$2 sha out=$WORKDIR/orig/linux_$1.orig.tar.xz
	sha=$(apt_private apt-cache showsrc linux 2>/dev/null | awk -v f="linux_$rel.orig.tar.xz" '
		/^Checksums-Sha256:/ { s = 1; next }
		s && /^ / { if ($3 == f) { print $1; exit } next }
		{ s = 0 }')
	[ -n "$sha" ] || return 1
	mkdir -p "$WORKDIR/orig"
	curl -fsS --max-time 1200 -o "$out.tmp" "$url" && [ "$(sha256_of "$out.tmp")" = "$sha" ] &&
		mv "$out.tmp" "$out" && echo "$out" && return 0
	rm -f "$out.tmp"
	return 1
}

# check_one RELEASE URL: one line of result; 0 when it passed.
check_one() {
	local rel=$1 url=$2 line=${1%.*} t=$SECONDS step src=() log tarball had='' pinned obj warn ours files o
	log=$WORKDIR/logs/release-$rel.log
	: >"$log"
	tarball=$DOM0KIT_CACHE/sources/linux_$rel.orig.tar.xz
	[ ! -f "$tarball" ] || had=1
	pinned=$(pinned_release "$line")
	d() { nice -n "${RC_NICE:-19}" "$DOM0KIT" --workdir "$WORKDIR" --kernel "$rel" --profile qemu --jobs "$RC_JOBS" ${src[@]+"${src[@]}"} "$@" >>"$log" 2>&1; }
	step=fetch
	if ! d fetch; then
		if grep -q "404 Not Found" "$log" && [ -n "$url" ] && o=$(orig_from_pool "$rel" "$url"); then
			src=(--source "tarball:$o")
			echo "fetch: apt-get source failed on a file of the Debian package; orig taken from $url, sha256 as in the signed index" >>"$log"
			d fetch || { rc_result "$rel" FAIL "$step" "$t" "$(tail -n 1 "$log")"; rc_clean "$rel" "$tarball" "$had" "$pinned"; return 1; }
		else
			rc_result "$rel" FAIL "$step" "$t" "$(tail -n 1 "$log")"
			rc_clean "$rel" "$tarball" "$had" "$pinned"
			return 1
		fi
	fi
	for step in patch configure; do
		d "$step" || { rc_result "$rel" FAIL "$step" "$t" "$(last_error "$log")"; rc_clean "$rel" "$tarball" "$had" "$pinned"; return 1; }
	done
	step=compile
	obj=$WORKDIR/build/linux-$rel-qemu
	if ! nice -n "${RC_NICE:-19}" make -C "$WORKDIR/src/linux-$rel" O="$obj" W=1 -j"$RC_JOBS" drivers/xen/ drivers/pci/ >>"$log" 2>&1; then
		rc_result "$rel" FAIL "$step" "$t" "$(grep -m 1 'error:' "$log" || tail -n 1 "$log")"
		rc_clean "$rel" "$tarball" "$had" "$pinned"
		return 1
	fi
	# Warnings in a file the series touches are ours to fix: they fail.
	files=$(sed -n 's|^+++ b/\([^	]*\.[ch]\).*|\1|p' "$WORKDIR/state/$rel/patches"/*.patch "$WORKDIR/state/$rel/patches"/*/*.patch | sort -u)
	warn=$(grep -c 'warning:' "$log" || true)
	ours=$(grep 'warning:' "$log" | grep -cF "$files" || true)
	if [ "$ours" -gt 0 ]; then
		rc_result "$rel" FAIL "$step" "$t" "W=1: $ours warning(s) in files the series touches: $(grep 'warning:' "$log" | grep -F "$files" | head -n 1)"
		rc_clean "$rel" "$tarball" "$had" "$pinned"
		return 1
	fi
	rc_result "$rel" ok "$step" "$t" "$(grep -c . "$WORKDIR/state/$rel/patches/series") patches, W=1: $warn warning(s), none in files the series touches$(variants_of "$rel")"
	rc_clean "$rel" "$tarball" "$had" "$pinned"
}

# last_error LOG: dom0kit's last error with the indented lines under it
# (the config audit lists the symbols there), on one line.
last_error() {
	awk '/^dom0kit: / { e = $0; on = 1; next } on && /^[ \t]/ { sub(/^[ \t]+/, ""); e = e " " $0; next } { on = 0 } END { print e }' "$1"
}

# variants_of RELEASE: ", variants: DIR/NAME..." when any were picked.
variants_of() {
	local v
	v=$(grep -l '^X-Applies-To:' "$WORKDIR/state/$1/patches"/*.patch 2>/dev/null | xargs -r -n 1 basename | cut -d- -f1 | paste -sd' ' -)
	[ -z "$v" ] || printf ', variants: %s' "$v"
}

rc_result() {
	local rel=$1 res=$2 step=$3 t=$4 detail=$5
	printf '%-9s %-4s %-9s %5ds  %s\n' "$rel" "$res" "$step" $((SECONDS - t)) "$detail"
	[ -z "$RC_TABLE" ] ||
		printf '| %s | %s | %s | %d s | %s |\n' "$rel" "$res" "$step" $((SECONDS - t)) "${detail//|/\\|}" >>"$RC_TABLE"
}

rc_clean() {
	local rel=$1 tarball=$2 had=$3 pinned=$4
	rm -rf "$WORKDIR/src/linux-$rel" "$WORKDIR/src/linux-$rel.source" "$WORKDIR/build/linux-$rel-qemu" \
		"$WORKDIR/state/$rel" "$WORKDIR/orig"
	if [ -z "$had" ] && [ "$rel" != "$pinned" ]; then rm -f "$tarball"; fi
}

rc_main() {
	local specs=() dry='' spec line rel url list='' failed=0 n=0
	WORKDIR=$PWD/work-releases RC_JOBS=1 RC_TABLE=''
	while [ $# -gt 0 ]; do
		case $1 in
		--kernel) [ $# -ge 2 ] || die "$EXIT_USAGE" "option --kernel needs a value"; specs+=("$2"); shift ;;
		--workdir) [ $# -ge 2 ] || die "$EXIT_USAGE" "option --workdir needs a value"; WORKDIR=$2; shift ;;
		--jobs) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "$EXIT_USAGE" "--jobs needs a positive number"; RC_JOBS=$2; shift ;;
		--table) [ $# -ge 2 ] || die "$EXIT_USAGE" "option --table needs a value"; RC_TABLE=$2; shift ;;
		--dry-run) dry=1 ;;
		-h | --help) rc_usage; return 0 ;;
		*) die "$EXIT_USAGE" "unknown option for release-check: $1 (see --help)" ;;
		esac
		shift
	done
	[ ${#specs[@]} -gt 0 ] || mapfile -t specs < <(known_lines)
	mkdir -p "$WORKDIR/logs"
	WORKDIR=$(cd "$WORKDIR" && pwd)
	ensure_deps fetch
	apt_root src
	apt_update_if_old ''
	for spec in "${specs[@]}"; do
		if [[ $spec =~ ^([0-9]+\.[0-9]+)\.[0-9]+$ ]]; then
			line=${BASH_REMATCH[1]}
			[ -n "$(pinned_release "$line")" ] || die "$EXIT_USAGE" "unknown kernel line: $line of release $spec (known: $(known_lines | tr '\n' ' '))"
			url=$(debian_served_all "$line" | awk -v r="$spec" '$1 == r {print $2}')
			[ -n "$url" ] || die "$EXIT_USAGE" "linux $spec is not served by Debian's mirror (served for $line: $(debian_served_all "$line" | cut -d' ' -f1 | tr '\n' ' '))"
			list+="$spec $url"$'\n'
		elif [[ $spec =~ ^[0-9]+\.[0-9]+$ ]]; then
			[ -n "$(pinned_release "$spec")" ] || die "$EXIT_USAGE" "unknown kernel line: $spec (known: $(known_lines | tr '\n' ' '))"
			list+=$(debian_served_all "$spec")$'\n'
		else
			die "$EXIT_USAGE" "not a kernel line or release: '$spec' (expected e.g. 6.12 or 6.12.107)"
		fi
	done
	if [ -n "$dry" ]; then
		awk 'NF {print "would check: " $1 " (" $2 ")"}' <<<"$list"
		return 0
	fi
	while read -r rel url; do
		[ -n "$rel" ] || continue
		n=$((n + 1))
		check_one "$rel" "$url" || failed=$((failed + 1))
	done <<<"$list"
	echo "release-check: $n release(s), $((n - failed)) passed, $failed failed"
	[ "$failed" -eq 0 ]
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then rc_main "$@"; fi
