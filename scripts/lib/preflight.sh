# shellcheck shell=bash
# preflight: whatever can be checked before hours of work is checked
# before the first stage starts, for --dry-run alike, writing nothing:
# write access to the work and out dirs, the option combinations of the
# package stage, and the inputs the chosen base config needs.

dom0kit_version() {
	local v
	v=$(git -C "$DOM0KIT_TOP" describe --always --dirty 2>/dev/null) || v='(not a git checkout)'
	printf 'dom0kit %s\n' "$v"
}

# check_writable WHAT DIR OPTION: DIR (or, while it does not exist yet,
# the directory it would be made in) and the parts of it dom0kit writes
# are writable directories.
check_writable() {
	local what=$1 dir=$2 opt=$3 d=$2 sub subs
	while [ ! -e "$d" ] && [ ! -L "$d" ]; do d=$(dirname "$d"); done
	[ -d "$d" ] || die "$EXIT_USAGE" "$what $dir: $d is not a directory (pass $opt DIR)"
	subs=("$d")
	[ "$d" != "$dir" ] || subs+=("$d"/logs "$d"/state "$d"/src "$d"/build "$d"/pkg)
	for sub in "${subs[@]}"; do
		[ -e "$sub" ] || continue
		if [ ! -d "$sub" ] || [ ! -w "$sub" ] || [ ! -x "$sub" ]; then
			die "$EXIT_USAGE" "cannot write to the $what $dir: $sub is read-only or not writable by $(id -un) (pass $opt DIR)"
		fi
	done
}

# host_os_id: this machine's system, ID of /etc/os-release.
host_os_id() {
	local id=''
	# shellcheck source=/dev/null
	[ ! -r /etc/os-release ] || id=$(. /etc/os-release && echo "${ID:-}")
	echo "${id:-an unknown system}"
}

# profile_setting PROFILE-FILE VAR: one setting (base, trim) of a profile.
profile_setting() {
	# shellcheck disable=SC1090
	(base='' trim='' && . "$1" && eval "printf '%s\n' \"\${$2}\"")
}

preflight_configure() {
	local file=$CONFIGS_DIR/profiles/$OPT_PROFILE.profile base trim lsmod
	[ -f "$file" ] || die "$EXIT_USAGE" "unknown profile: $OPT_PROFILE (known: $(known_profiles))"
	base=${OPT_BASE:-$(profile_setting "$file" base)}
	trim=$(profile_setting "$file" trim)
	# --distro ubuntu configures on the running kernel's config, which is
	# Ubuntu's only on Ubuntu: elsewhere the user's file is the honest base.
	# shellcheck disable=SC2153 # OPT_DISTRO is the dispatcher's, not a misspelt OPT_DISTCC
	if [ -z "$OPT_BASE" ] && [ "$base" = distro ] && [ "$OPT_DISTRO" = ubuntu ]; then
		[ "$(host_os_id)" = ubuntu ] ||
			die "$EXIT_USAGE" "--distro ubuntu: this machine runs $(host_os_id), not Ubuntu, so its kernel config is not Ubuntu's: pass --base FILE (an Ubuntu kernel config)"
		[ -f "$(running_config)" ] ||
			die "$EXIT_USAGE" "--distro ubuntu configures on the running kernel's config, and there is none at $(running_config): pass --base FILE (an Ubuntu kernel config)"
	fi
	case $base in
	distro | defconfig | allnoconfig) ;;
	running)
		[ -f "$(running_config)" ] ||
			die "$EXIT_USAGE" "no running kernel config at $(running_config): pass --base FILE (a kernel config) or set DOM0KIT_RUNNING_CONFIG"
		;;
	*)
		[ -f "$base" ] || die "$EXIT_USAGE" "base config not found: $base"
		grep -q '^CONFIG_' "$base" || die "$EXIT_USAGE" "not a kernel config: $base"
		;;
	esac
	if [ "$trim" = localmodconfig ]; then
		lsmod=${DOM0KIT_LSMOD:-/proc/modules}
		[ -r "$lsmod" ] ||
			die "$EXIT_USAGE" "profile $OPT_PROFILE: cannot read the module list $lsmod: set DOM0KIT_LSMOD=FILE (lsmod of the target machine) or pass --profile distro"
	fi
	# The signing key and certificate: checked, nothing written.
	OPT_DRY_RUN=1 signing_fragment
}

# preflight_package COMMAND: the packager's options and what the chosen
# source gives for the source package.
preflight_package() {
	local kind='' src=$OPT_SOURCE
	if [ "$OPT_PACKAGER" = bindeb ]; then
		[ -z "$OPT_NO_DBG" ] || warn "--no-dbg does not apply to --packager bindeb (ignored)"
		[ -z "$OPT_NO_SOURCE_PACKAGE" ] || warn "--no-source-package does not apply to --packager bindeb: it makes no source package (ignored)"
		[ -z "$OPT_SUITE" ] || warn "--suite does not apply to --packager bindeb (ignored)"
		[ "$OPT_DISTRO" = debian ] || warn "--distro does not apply to --packager bindeb (ignored)"
		return 0
	fi
	PKG_SUITE=$OPT_SUITE
	[ -n "$PKG_SUITE" ] || set_host_suite "$OPT_DISTRO"
	set_distro_suffix "$OPT_DISTRO" "$PKG_SUITE"
	[ -z "$OPT_NO_SOURCE_PACKAGE" ] || return 0
	# package alone packages what fetch recorded; build what it will fetch.
	if [ "$1" = package ] && [ -f "$STATEDIR/source" ]; then
		read -r kind src <"$STATEDIR/source"
	else
		case $OPT_SOURCE in dir:*) kind=dir ;; esac
	fi
	[ "$kind" != dir ] ||
		die "$EXIT_USAGE" "a source package needs a release tarball, and the source ${src#dir:} is a tree: pass --no-source-package (or --source tarball:PATH)"
}

# preflight_distcc: --distcc's host list as distcc itself parses it (it
# says ERROR and exits 0 on a bad one), and the jobs its slots allow.
# Without distcc installed the stage's package check says so.
preflight_distcc() {
	local all out err
	[ -n "$OPT_DISTCC" ] && command -v distcc >/dev/null 2>&1 || return 0
	# One call: its own messages start with "distcc[PID]", hosts do not.
	all=$(DISTCC_HOSTS=$OPT_DISTCC distcc --show-hosts 2>&1) || true
	out=$(grep -v '^distcc\[' <<<"$all") || true
	err=$(sed -n 's/^distcc\[[0-9]*\] ([a-z_]*) ERROR: //p' <<<"$all" | head -n 1)
	[ -z "$err" ] || die "$EXIT_USAGE" "--distcc '$OPT_DISTCC': $err"
	[ -n "$out" ] || die "$EXIT_USAGE" "--distcc '$OPT_DISTCC' names no host"
	# shellcheck disable=SC2034 # the compile and package stages read it
	[ -n "$OPT_JOBS_SET" ] || OPT_JOBS=$(DISTCC_HOSTS=$OPT_DISTCC distcc -j)
}

# preflight COMMAND
preflight() {
	case $1 in
	deps | releases) ;;
	*) check_writable "work dir" "$WORKDIR" --workdir ;;
	esac
	case $1 in build | compile | package) preflight_distcc ;; esac
	case $1 in
	build) preflight_configure && preflight_package "$1" ;;
	configure) preflight_configure ;;
	package) preflight_package "$1" ;;
	esac
	case $1 in build | package) check_writable "out dir" "$OUTDIR" --outdir ;; esac
	return 0
}
