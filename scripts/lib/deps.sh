# shellcheck shell=bash
# Debian packages each stage needs, and how missing ones are reported or
# installed.

# deps_for STAGE: the Debian packages STAGE needs, one per word.
deps_for() {
	case $1 in
	fetch) echo apt debian-archive-keyring gpg gpgv curl git xz-utils ca-certificates ;;
	patch) echo quilt patch tar xz-utils ;;
	configure) echo make gcc libc6-dev flex bison bc xz-utils ;;
	compile) echo make gcc libc6-dev flex bison bc libelf-dev libssl-dev dwarves cpio kmod python3 rsync ${OPT_DISTCC:+distcc} ;;
	package) echo dpkg-dev fakeroot "$(control_build_depends)" ${OPT_DISTCC:+distcc} ;;
	boot-test) echo qemu-system-x86 xen-system-amd64 busybox-static kmod cpio gcc libc6-dev ;;
	system-test) echo qemu-system-x86 mmdebstrap fdisk e2fsprogs dosfstools mtools ovmf util-linux busybox-static kmod cpio gcc libc6-dev ;;
	lint) echo perl ;;
	*) return 1 ;;
	esac
}

# control_build_depends: the Build-Depends of packaging/debian/control.in
# as package names, read from there so that the package stage and a
# buildd need the same packages.
control_build_depends() {
	awk 'on && !/^[ \t]/ { exit } /^Build-Depends:/ { on = 1; sub(/^Build-Depends:/, "") } on' \
		"$DOM0KIT_TOP/packaging/debian/control.in" |
		tr ',' '\n' | sed 's/([^)]*)//; s/<[^>]*>//g; s/:native//; s/[[:space:]]//g; s/^debhelper-compat$/debhelper/' |
		grep . | tr '\n' ' ' | sed 's/ $//'
}

# deps_optional STAGE: what STAGE uses when installed: ccache caches the
# compiler's work (DOM0KIT_NO_CCACHE=1 turns it off); `build` and
# `deps --install` install it as root, a stage run alone goes without.
deps_optional() {
	case $1 in compile | package) echo ccache ;; esac
}

# missing_deps PACKAGE...: those not installed, one per line (one
# dpkg-query for all: a run asks for some 40 packages).
missing_deps() {
	[ $# -gt 0 ] || return 0
	local installed p
	installed=$(dpkg-query -W -f='${Package}\t${Status}\n' "$@" 2>/dev/null | awk -F'\t' '$2 == "install ok installed" { print $1 }')
	for p in "$@"; do
		grep -qxF -- "$p" <<<"$installed" || echo "$p"
	done
}

# ensure_deps [--install] STAGE...: with --install and root, installs
# what is missing (saying what); otherwise prints the apt-get line and
# stops with EXIT_DEPS.
ensure_deps() {
	local install='' missing optional='' s
	[ "${1:-}" = --install ] && { install=1; shift; }
	# shellcheck disable=SC2046
	missing=$(missing_deps $(for s in "$@"; do deps_for "$s"; done | tr ' ' '\n' | sort -u))
	# shellcheck disable=SC2046
	[ -z "$install" ] || optional=$(missing_deps $(for s in "$@"; do deps_optional "$s"; done | sort -u))
	missing=$(printf '%s\n%s\n' "$missing" "$optional" | grep . | tr '\n' ' ' | sed 's/ $//') || true
	[ -n "$missing" ] || return 0
	if [ -n "$install" ] && [ "$(id -u)" = 0 ]; then
		if [ -n "${OPT_DRY_RUN:-}" ]; then
			[ "${DEPS_PLANNED:-}" = "$missing" ] || echo "would install missing Debian packages: $missing"
			DEPS_PLANNED=$missing
			return 0
		fi
		info "==> installing missing Debian packages: $missing"
		mkdir -p "$WORKDIR/logs"
		# shellcheck disable=SC2086
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing; } \
			>>"$WORKDIR/logs/deps.log" 2>&1 ||
			die "$EXIT_DEPS" "apt-get install failed for: $missing (see $WORKDIR/logs/deps.log)"
		return 0
	fi
	[ -z "$optional" ] || missing=$(printf '%s\n' "$missing" | tr ' ' '\n' | grep -vxF -f <(printf '%s\n' "$optional") | paste -sd' ') || true
	[ -n "$missing" ] || return 0
	# A dry run lists them in the plan, goes on, and ends with the code
	# the real run stops with.
	if [ -n "${OPT_DRY_RUN:-}" ]; then
		case " ${DEPS_PLANNED:-} " in *" $missing "*) ;; *) echo "missing Debian packages (a real run stops here, exit $EXIT_DEPS): $missing" ;; esac
		DEPS_PLANNED="${DEPS_PLANNED:-} $missing"
		# shellcheck disable=SC2034 # read by dry_run_end
		DRY_EXIT=$EXIT_DEPS
		return 0
	fi
	die "$EXIT_DEPS" "missing Debian packages; run: apt-get install --no-install-recommends $missing"
}

help_deps() {
	cat <<'H'
Usage: dom0kit deps [--install] [STAGE...]
Lists the Debian packages each stage needs and which are missing.
--install installs the missing ones (root only).
H
}
DEPS_INSTALL='' DEPS_STAGES=()
args_deps() {
	local a
	for a in "$@"; do
		case $a in
		--install) DEPS_INSTALL=1 ;;
		-*) die "$EXIT_USAGE" "unknown option for deps: $a" ;;
		*) deps_for "$a" >/dev/null || die "$EXIT_USAGE" "unknown stage: $a"; DEPS_STAGES+=("$a") ;;
		esac
	done
}
cmd_deps() {
	local s missing
	[ ${#DEPS_STAGES[@]} -gt 0 ] || DEPS_STAGES=(fetch patch configure compile package boot-test system-test lint)
	for s in "${DEPS_STAGES[@]}"; do
		# shellcheck disable=SC2046
		missing=$(missing_deps $(deps_for "$s") | tr '\n' ' ')
		printf '%-10s %s%s\n' "$s:" "$(deps_for "$s")" "${missing:+   (missing: ${missing% })}"
		if [ -n "$(deps_optional "$s")" ]; then
			# shellcheck disable=SC2046
			missing=$(missing_deps $(deps_optional "$s") | tr '\n' ' ')
			printf '%-10s %s%s\n' '' "optional: $(deps_optional "$s")" "${missing:+   (not installed: ${missing% })}"
		fi
	done
	[ -z "$DEPS_INSTALL" ] || ensure_deps --install "${DEPS_STAGES[@]}"
}
