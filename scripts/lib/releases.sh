# shellcheck shell=bash
# releases: per supported line, the pinned release against the newest one
# kernel.org lists and the newest one Debian's mirror really serves;
# --update moves the pins in patches/releases.

# shellcheck source=scripts/lib/apt-private.sh
. "$LIB/apt-private.sh"

RELEASES_JSON=${DOM0KIT_RELEASES_JSON:-https://www.kernel.org/releases.json}

help_releases() {
	cat <<'H'
Usage: dom0kit releases [--kernel LINE] [--update] [--no-debian]
Prints per supported line (patches/releases, or DOM0KIT_RELEASES_FILE):
  line  pinned  newest on kernel.org  newest Debian serves  status
status is "up to date", "update available" or "end of life"; lines newer
than every supported one are reported as "new line X.Y not yet supported";
patches that refresh found upstream (series mark upstream=X.Y.Z) as
"LINE NAME upstream in X.Y.Z".
Sources: kernel.org's releases.json (DOM0KIT_RELEASES_JSON: a URL or a
file; default https://www.kernel.org/releases.json) and Debian's source
indices (DOM0KIT_DEBIAN_MIRROR), where a release counts only when the
mirror really serves its orig tarball. --no-debian skips Debian.
--update rewrites the pin file atomically: each pin moves to the newest
release Debian serves (with --no-debian: the newest on kernel.org),
never backwards; comments and notes are kept. Prints "updated LINE OLD NEW".
H
}

REL_UPDATE='' REL_DEBIAN=1
args_releases() {
	while [ $# -gt 0 ]; do
		case $1 in
		--update) REL_UPDATE=1 ;;
		--no-debian) REL_DEBIAN='' ;;
		*) die "$EXIT_USAGE" "unknown option for releases: $1 (--update, --no-debian)" ;;
		esac
		shift
	done
}

# kernel_org_releases SRC: "line version moniker iseol" per release of
# releases.json (rc and linux-next entries left out); dies on bad data.
kernel_org_releases() {
	local src=$1 file=$1 tmp='' out
	case $src in
	http://* | https://* | file://*)
		tmp=$(mktemp)
		if ! curl -fsSL --max-time 60 -o "$tmp" "$src" 2>"$tmp.err"; then
			local why
			why=$(tail -n 1 "$tmp.err")
			rm -f "$tmp" "$tmp.err"
			die "$EXIT_FETCH" "cannot download releases.json from $src: ${why:-curl failed}"
		fi
		rm -f "$tmp.err"
		file=$tmp
		;;
	esac
	[ -r "$file" ] || die "$EXIT_FETCH" "cannot read releases.json from $src: no such file"
	# The data is checked here so that a truncated or reshaped file is
	# one clear error instead of a wrong pin.
	if ! out=$(python3 - "$file" 2>&1 <<'PY'
import json, re, sys
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        data = json.load(f)
except (ValueError, UnicodeDecodeError) as e:
    sys.exit(str(e))
if not isinstance(data, dict) or not isinstance(data.get("releases"), list):
    sys.exit('no "releases" list at the top level')
for i, r in enumerate(data["releases"]):
    if not isinstance(r, dict) or not isinstance(r.get("version"), str):
        sys.exit("release #%d has no version string" % (i + 1))
    if not isinstance(r.get("iseol", False), bool):
        sys.exit("release %s: iseol is not true or false" % r["version"])
    m = re.fullmatch(r"(\d+)\.(\d+)(\.\d+)?", r["version"])
    if not m:  # 7.3-rc2, next-20260101: not releases one can pin
        continue
    print("%s.%s %s %s %s" % (m.group(1), m.group(2), r["version"],
          r.get("moniker") or "-", "eol" if r.get("iseol") else "-"))
PY
	); then
		rm -f "$tmp"
		die "$EXIT_FETCH" "cannot parse releases.json from $src: $(tail -n 1 <<<"$out")"
	fi
	rm -f "$tmp"
	printf '%s\n' "$out"
}

# debian_listed LINE: "upstream directory" per version Debian's source
# indices list for LINE, newest first (~bpo builds share the upstream).
debian_listed() {
	apt_private apt-cache showsrc linux 2>/dev/null | awk -v l="$1" '
		/^Version: / { u = $2; sub(/-[^-]*$/, "", u); sub(/~.*/, "", u) }
		/^Directory: / { if (index(u, l ".") == 1) print u, $2 }' | sort -u -k1,1 | sort -rV
}

# debian_served LINE: the newest release of LINE whose orig tarball the
# mirror answers for; Debian's indices list releases it no longer serves
# (404), so the listing alone would pin an unfetchable release.
debian_served() {
	local rel dir base tries=0
	while read -r rel dir; do
		base=$DEBIAN_MIRROR
		case $dir in pool/updates/*) base=$DEBIAN_SECURITY_MIRROR ;; esac
		if curl -fsI --max-time 20 -o /dev/null "$base/$dir/linux_$rel.orig.tar.xz" 2>/dev/null; then
			echo "$rel"
			return 0
		fi
		tries=$((tries + 1))
		[ "$tries" -lt 12 ] || break
	done < <(debian_listed "$1")
}

# debian_served_all LINE: "release url" for every release of LINE whose
# orig tarball the mirror answers for, oldest first (one HEAD request
# per listed release and directory).
debian_served_all() {
	local rel dir base last=''
	while read -r rel dir; do
		[ "$rel" != "$last" ] || continue
		base=$DEBIAN_MIRROR
		case $dir in pool/updates/*) base=$DEBIAN_SECURITY_MIRROR ;; esac
		if curl -fsI --max-time 20 -o /dev/null "$base/$dir/linux_$rel.orig.tar.xz" 2>/dev/null; then
			echo "$rel $base/$dir/linux_$rel.orig.tar.xz"
			last=$rel
		fi
	done < <(apt_private apt-cache showsrc linux 2>/dev/null | awk -v l="$1" '
		/^Version: / { u = $2; sub(/-[^-]*$/, "", u); sub(/~.*/, "", u) }
		/^Directory: / { if (index(u, l ".") == 1) print u, $2 }' | sort -u | sort -V -k1,1 -s)
}

# newest_of: the highest version on stdin, or "-".
newest_of() { sort -V | tail -n 1 | grep . || echo -; }
vgt() { [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1)" = "$1" ]; }

# rewrite_pins: stdin "line release" pairs; sets those pins in the pin
# file through a temp file, keeping comments, order and notes.
rewrite_pins() {
	local pairs
	pairs=$(cat)
	[ -n "$pairs" ] || return 0
	awk -v pairs="$pairs" 'BEGIN { n = split(pairs, p, "\n"); for (i = 1; i <= n; i++) { split(p[i], f, " "); pin[f[1]] = f[2] } }
		!/^#/ && NF && ($1 in pin) { sub(/^[^\t ]+[\t ]+[^\t ]+/, $1 "\t" pin[$1]) }
		{ print }' "$RELEASES_FILE" | write_atomic "$RELEASES_FILE" ||
		die "$EXIT_FAIL" "cannot rewrite $RELEASES_FILE"
}

# releases_upstreamed LINE: one line per entry of LINE's series that
# refresh marked upstream=X.Y.Z (upstream carries it from X.Y.Z on).
releases_upstreamed() {
	local series=$PATCHES_ROOT/$1/series
	[ -f "$series" ] || return 0
	awk -v l="$1" '!/^#/ && NF > 1 {
		for (i = 2; i <= NF; i++) if ($i ~ /^upstream=/) {
			r = substr($i, 10)
			printf "%-6s %s upstream in %s (left out of the series from there on)\n", l, $1, r
		}
	}' "$series"
}

cmd_releases() {
	local korg lines line pinned newest served target status eol updates='' newline supported_max
	korg=$(kernel_org_releases "$RELEASES_JSON")
	# LINE comes from the dispatcher's resolve_kernel.
	# shellcheck disable=SC2153
	if [ -n "$OPT_KERNEL" ]; then lines=$LINE; else lines=$(known_lines); fi
	if [ -n "$REL_DEBIAN" ]; then
		ensure_deps fetch
		apt_root src
		apt_update_if_old ''
	fi
	printf '%-6s %-10s %-10s %-10s %s\n' line pinned kernel.org debian status
	for line in $lines; do
		pinned=$(pinned_release "$line")
		newest=$(awk -v l="$line" '$1 == l && $2 ~ /^[0-9]+\.[0-9]+\.[0-9]+$/ {print $2}' <<<"$korg" | newest_of)
		# kernel.org marks a line's last releases iseol and later drops
		# the line from the file altogether: both mean end of life.
		eol=$(awk -v l="$line" '$1 == l && $4 == "eol" {print "eol"; exit}' <<<"$korg")
		[ "$newest" != - ] || eol=eol
		served=-
		[ -z "$REL_DEBIAN" ] || served=$(debian_served "$line" | grep . || echo -)
		if [ -n "$REL_DEBIAN" ]; then target=$served; else target=$newest; fi
		status='up to date'
		if [ "$target" != - ] && vgt "$target" "$pinned"; then
			status='update available'
			updates+="$line $target"$'\n'
		else
			target=$pinned
		fi
		if [ -n "$eol" ]; then
			# The last releases of a dead line still get pinned.
			case $status in update*) status='end of life (update available)' ;; *) status='end of life' ;; esac
		fi
		if [ -n "$REL_DEBIAN" ] && [ "$newest" != - ] && vgt "$newest" "$target"; then
			status+=" (Debian does not serve $newest yet)"
		fi
		printf '%-6s %-10s %-10s %-10s %s\n' "$line" "$pinned" "$newest" "$served" "$status"
	done
	for line in $lines; do releases_upstreamed "$line"; done
	supported_max=$(known_lines | sort -V | tail -n 1)
	while read -r newline; do
		[ -n "$newline" ] || continue
		echo "new line $newline not yet supported (newest $(awk -v l="$newline" '$1 == l {print $2}' <<<"$korg" | newest_of))"
	done < <(awk '{print $1}' <<<"$korg" | sort -uV | while read -r l; do vgt "$l" "$supported_max" && echo "$l"; done)
	[ -n "$REL_UPDATE" ] || return 0
	if [ -z "$updates" ]; then
		info "pins are up to date: $RELEASES_FILE unchanged"
		return 0
	fi
	planned update "set pins in $RELEASES_FILE: $(tr '\n' ' ' <<<"$updates")" && return 0
	local -A old=()
	while read -r line _; do [ -z "$line" ] || old[$line]=$(pinned_release "$line"); done <<<"$updates"
	rewrite_pins <<<"${updates%$'\n'}"
	while read -r line target; do
		[ -z "$line" ] || echo "updated $line ${old[$line]} $target"
	done <<<"$updates"
}
