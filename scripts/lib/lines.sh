# shellcheck shell=bash
# Kernel lines and releases: turns --kernel into LINE and RELEASE.

RELEASES_FILE=${DOM0KIT_RELEASES_FILE:-$DOM0KIT_TOP/patches/releases}

# Lines in the order of the pin file; the first is the default.
known_lines() { awk '!/^#/ && NF {print $1}' "$RELEASES_FILE"; }
pinned_release() { awk -v l="$1" '!/^#/ && $1 == l {print $2}' "$RELEASES_FILE"; }
newest_line() { known_lines | sort -V | tail -n 1; }

# resolve_kernel SPEC: sets LINE and RELEASE. SPEC is a line (6.12), a
# release (6.12.117), "stable" or a major (7) for the newest line.
resolve_kernel() {
	local spec=${1:-}
	[ -n "$spec" ] || spec=$(known_lines | head -n 1)
	case $spec in
	stable | latest) spec=$(newest_line) ;;
	[0-9]) spec=$(known_lines | awk -F. -v m="$spec" '$1 == m' | sort -V | tail -n 1)
		[ -n "$spec" ] || die "$EXIT_USAGE" "unknown kernel line: $1 (known: $(known_lines | tr '\n' ' '))" ;;
	esac
	if [[ $spec =~ ^([0-9]+\.[0-9]+)$ ]]; then
		LINE=$spec
		RELEASE=$(pinned_release "$LINE")
		[ -n "$RELEASE" ] || die "$EXIT_USAGE" "unknown kernel line: $spec (known: $(known_lines | tr '\n' ' '))"
	elif [[ $spec =~ ^([0-9]+\.[0-9]+)\.([0-9]+)$ ]]; then
		LINE=${BASH_REMATCH[1]}
		RELEASE=$spec
		[ -n "$(pinned_release "$LINE")" ] ||
			die "$EXIT_USAGE" "unknown kernel line: $LINE of release $spec (known: $(known_lines | tr '\n' ' '))"
	else
		die "$EXIT_USAGE" "not a kernel line or release: '$spec' (expected e.g. 6.12 or 6.12.107)"
	fi
}
