# shellcheck shell=bash
# configure: base config + the profile's fragments from configs/, then
# olddefconfig, then an audit: every symbol a fragment asks for must hold
# in the final .config, or the stage fails, saying why for each symbol
# (config-why.sh), and OBJDIR/.config is untouched.

# shellcheck source=scripts/lib/apt-private.sh
. "$LIB/apt-private.sh"
# shellcheck source=scripts/lib/kmake.sh
. "$LIB/kmake.sh"
# shellcheck source=scripts/lib/config-base.sh
. "$LIB/config-base.sh"
# shellcheck source=scripts/lib/signing.sh
. "$LIB/signing.sh"
# shellcheck source=scripts/lib/config-why.sh
. "$LIB/config-why.sh"

CONFIGS_DIR=${DOM0KIT_CONFIGS:-$DOM0KIT_TOP/configs}

help_configure() {
	cat <<'H'
Usage: dom0kit configure [--kernel SPEC] [--profile NAME] [--base BASE]
Profiles (configs/profiles/NAME.profile: base=, fragments= (NAME@>=X.Y for
fragments only some lines take), trim=localmodconfig):
  distro   Debian's own config for the line + dom0, passthrough, KVM fragments
  host     distro, trimmed to the modules loaded here (localmodconfig),
           keeping every Xen and passthrough module
  qemu     a minimal kernel that boots as dom0 and as PV domU under QEMU
Bases: distro, running (/boot/config-$(uname -r)), defconfig, allnoconfig,
       or a path to a config file
Reads:  WORKDIR/src/linux-RELEASE (patched), configs/
Writes: WORKDIR/build/linux-RELEASE-PROFILE/.config (only when it changes)
H
}

known_profiles() {
	local p
	for p in "$CONFIGS_DIR"/profiles/*.profile; do p=${p##*/}; printf '%s ' "${p%.profile}"; done
}

# load_profile: sets PROFILE_BASE, PROFILE_FRAGMENTS, PROFILE_TRIM.
load_profile() {
	local file=$CONFIGS_DIR/profiles/$OPT_PROFILE.profile base='' fragments='' trim=''
	[ -f "$file" ] || die "$EXIT_USAGE" "unknown profile: $OPT_PROFILE (known: $(known_profiles))"
	# shellcheck source=/dev/null
	. "$file"
	PROFILE_BASE=${OPT_BASE:-$base}
	# Ubuntu's own config is the running kernel's (/boot/config-*), not
	# Debian's linux-config package.
	if [ -z "$OPT_BASE" ] && [ "$PROFILE_BASE" = distro ] && [ "${OPT_DISTRO:-debian}" = ubuntu ]; then
		PROFILE_BASE=running
	fi
	PROFILE_TRIM=$trim
	PROFILE_FRAGMENTS=()
	local f cond
	for f in $fragments; do
		# NAME@>=X.Y: only for lines X.Y and newer (options a line lacks).
		if [[ $f == *@\>=* ]]; then
			cond=${f#*@>=} f=${f%@*}
			[ "$(printf '%s\n%s\n' "$cond" "$LINE" | sort -V | head -n 1)" = "$cond" ] || continue
		fi
		[ -f "$CONFIGS_DIR/$f.config" ] || die "$EXIT_USAGE" "profile $OPT_PROFILE names fragment $f, but $CONFIGS_DIR/$f.config does not exist"
		PROFILE_FRAGMENTS+=("$CONFIGS_DIR/$f.config")
	done
	signing_fragment
	[ -z "$SIGNING_FRAGMENT" ] || PROFILE_FRAGMENTS+=("$SIGNING_FRAGMENT")
}

# requested_symbols FRAGMENT...: "CONFIG_X value" for each request, the
# last fragment winning; "is not set" becomes n.
requested_symbols() {
	awk '
		/^CONFIG_[A-Za-z0-9_]+=/ { i = index($0, "="); v[substr($0, 1, i - 1)] = substr($0, i + 1); next }
		/^# CONFIG_[A-Za-z0-9_]+ is not set/ { v[$2] = "n" }
		END { for (s in v) print s, v[s] }' "$@" | sort
}

# audit_config CONFIG FRAGMENT...: prints one line per symbol that did
# not land; returns nonzero when any did not.
audit_config() {
	local config=$1; shift
	requested_symbols "$@" | awk -v cfg="$config" '
		BEGIN {
			while ((getline line < cfg) > 0) {
				if (line ~ /^CONFIG_[A-Za-z0-9_]+=/) { i = index(line, "="); have[substr(line, 1, i - 1)] = substr(line, i + 1) }
			}
		}
		{ sym = $1; want = substr($0, length($1) + 2); got = (sym in have) ? have[sym] : "n"
		  if (want != got) { printf "  %s: requested %s, got %s\n", sym, want, got; bad++ } }
		END { exit bad > 0 }'
}

# base_report BASE CONFIG: what BASE sets (y or m) that CONFIG, after
# olddefconfig, does not have and no fragment turned off: a symbol of the
# distribution's own patches (Debian's LOCK_DOWN_IN_EFI_SECURE_BOOT was
# one until 0013-0014), a capability of its compiler, a dependency that
# changed. One line with the count and the names; the log has each with
# Kconfig's reason. Not an error: the audit judges what was requested.
base_report() {
	local lost n
	# Symbols a fragment turns off are the profile's choice, not a loss.
	lost=$(awk -v base="$1" -v cfg="$2" '
		FILENAME == base { if ($0 ~ /^CONFIG_[A-Za-z0-9_]+=[ym]$/) { i = index($0, "="); want[substr($0, 1, i - 1)] = substr($0, i + 1) } next }
		FILENAME == cfg { if ($0 ~ /^CONFIG_[A-Za-z0-9_]+=/) have[substr($0, 1, index($0, "=") - 1)] = 1; next }
		/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { off[$2] = 1 }
		/^CONFIG_[A-Za-z0-9_]+=n$/ { off[substr($0, 1, index($0, "=") - 1)] = 1 }
		END { for (s in want) if (!(s in have) && !(s in off)) printf "  %s: requested %s, got n\n", s, want[s] }' \
		"$1" "$2" "${PROFILE_FRAGMENTS[@]}" | sort) || return 0
	[ -n "$lost" ] || return 0
	n=$(grep -c . <<<"$lost")
	echo "base: $n symbols the base sets did not survive olddefconfig:" >>"$WORKDIR/logs/configure.log"
	config_why "$2" "$lost" >/dev/null
	info "    base: $n symbols it sets are not in the result (reasons in logs/configure.log): $(sed 's/^  //; s/:.*//' <<<"$lost" | paste -sd' ')"
}

# Distro configs name Debian's certificate files, which a build outside
# Debian's tree does not have; clearing them avoids a late build failure.
clear_distro_certs() {
	sed -i -E 's@^(CONFIG_[A-Z0-9_]+)="debian/[^"]*"@\1=""@' "$1"
}

cmd_configure() {
	ensure_deps configure
	load_profile
	local inputs base_id f
	if [ -z "$OPT_DRY_RUN" ]; then
		[ -f "$SRCDIR/Makefile" ] || die "$EXIT_USAGE" "no patched source for $RELEASE: run dom0kit patch --kernel $RELEASE first"
		require_patched_tree
	fi
	base_id=$(base_identity "$PROFILE_BASE")
	# The patched tree as Kconfig sees it (patch.sh's kconfig_identity): a
	# patch of C files only does not configure again. localmodconfig also
	# reads every Makefile: a trimmed profile depends on the whole series.
	local tree
	if [ -z "$PROFILE_TRIM" ]; then
		# No patch stamp yet (a dry run of configure alone): "kconfig none".
		tree="kconfig $({ stamp_text patch 2>/dev/null || echo 'kconfig none'; } | sed -n 's/^kconfig //p')"
	else
		tree="patch $(stamp_digest patch)"
	fi
	inputs="$tree profile $OPT_PROFILE base $base_id trim $PROFILE_TRIM"
	for f in "${PROFILE_FRAGMENTS[@]}"; do
		# A dry run does not write the signing fragment.
		if [ -f "$f" ]; then inputs+=$'\n'"fragment $(basename "$f") $(sha256_of "$f")"; else inputs+=$'\n'"fragment $(basename "$f") new"; fi
	done
	stage_enter configure "configure@$OPT_PROFILE" "$inputs" "$OBJDIR/.config" || return 0
	planned configure "base $PROFILE_BASE + $(for f in "${PROFILE_FRAGMENTS[@]}"; do basename "$f" .config; done | paste -sd' ')${PROFILE_TRIM:+, trimmed with $PROFILE_TRIM}, olddefconfig, audit" && return 0
	mkdir -p "$OBJDIR"
	local new=.config.dom0kit-new
	# An interrupt leaves .config as it was and no candidate behind.
	# shellcheck disable=SC2016,SC2034 # expanded by on_interrupt
	STAGE_UNDO='rm -rf "$OBJDIR"/.config.dom0kit-* "$OBJDIR/.localmodconfig"'
	local rc=0
	base_config "$PROFILE_BASE" >"$OBJDIR/$new.base" || rc=$?
	if [ "$rc" -ne 0 ]; then
		rm -f "$OBJDIR/$new.base"
		exit "$rc"
	fi
	info "    base: $(base_words "$PROFILE_BASE")"
	{ cat "$OBJDIR/$new.base" && printf '%s\n' "$SIGNING_DEFAULTS" && cat "${PROFILE_FRAGMENTS[@]}"; } >"$OBJDIR/$new"
	clear_distro_certs "$OBJDIR/$new"
	run_logged configure kmake KCONFIG_CONFIG=$new olddefconfig || die "$EXIT_FAIL" "olddefconfig failed"
	if [ "$PROFILE_TRIM" = localmodconfig ]; then
		local lsmod=${DOM0KIT_LSMOD:-/proc/modules}
		[ -r "$lsmod" ] || die "$EXIT_USAGE" "host profile: cannot read the module list $lsmod"
		# streamline_config.pl reads ./.config whatever KCONFIG_CONFIG says,
		# so it runs in a scratch dir that holds the candidate as .config.
		local scratch=$OBJDIR/.localmodconfig
		rm -rf "$scratch" && mkdir -p "$scratch"
		cp "$OBJDIR/$new" "$scratch/.config"
		if ! (cd "$scratch" && LSMOD=$lsmod srctree=$SRCDIR SRCARCH=x86 ARCH=x86_64 \
			perl "$SRCDIR/scripts/kconfig/streamline_config.pl" --localmodconfig "$SRCDIR" Kconfig \
			>"$OBJDIR/$new" 2>>"$WORKDIR/logs/configure.log"); then
			rm -rf "${scratch:?}" "${OBJDIR:?}/$new"
			die "$EXIT_FAIL" "localmodconfig failed (log: $WORKDIR/logs/configure.log)"
		fi
		rm -rf "$scratch"
		# localmodconfig drops modules not loaded now; the fragments put
		# every Xen and passthrough module back.
		cat "${PROFILE_FRAGMENTS[@]}" >>"$OBJDIR/$new"
		run_logged configure kmake KCONFIG_CONFIG=$new olddefconfig || die "$EXIT_FAIL" "olddefconfig failed"
	fi
	[ "$PROFILE_BASE" = allnoconfig ] || [ -n "$PROFILE_TRIM" ] || base_report "$OBJDIR/$new.base" "$OBJDIR/$new"
	rm -f "$OBJDIR/$new.base"
	local dropped
	if ! dropped=$(audit_config "$OBJDIR/$new" "${PROFILE_FRAGMENTS[@]}"); then
		# Each symbol with the reason Kconfig gives for it (also in the log).
		local why
		why=$(config_why "$OBJDIR/$new" "$dropped")
		rm -f "$OBJDIR/$new" "$OBJDIR/$new.old"
		printf 'dom0kit: config audit failed: %d requested symbols did not land:\n%s\n' \
			"$(grep -c . <<<"$dropped")" "$why" >&2
		exit "$EXIT_FAIL"
	fi
	# An unchanged config keeps its mtime so that make rebuilds nothing.
	if cmp -s "$OBJDIR/$new" "$OBJDIR/.config"; then
		rm -f "$OBJDIR/$new"
	else
		mv -f "$OBJDIR/$new" "$OBJDIR/.config"
	fi
	rm -f "$OBJDIR/$new.old"
	info "    audit: $(requested_symbols "${PROFILE_FRAGMENTS[@]}" | grep -c .) requested symbols hold"
	stamp_write "configure@$OPT_PROFILE" "$inputs"
	stage_end configure
}
