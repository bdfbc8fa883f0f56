# shellcheck shell=bash
# refresh-review: what refresh cannot carry by itself goes to a human. A
# patch that applies to the new release only with fuzz is refreshed into a
# proposed variant (an X-Applies-To range from the new release on, or,
# for a new line, that line's own file); the scratch tree with every patch
# that applied is compiled (the qemu profile, make W=1 on the directories
# the series touches); OUTDIR/refresh/LINE/ gets the proposals, the diff
# between the old and the new patch, the compile log, a REPORT with one
# line per patch and a status (needs-review or fails). patches/ and the
# pins are never written on this path.

# shellcheck source=scripts/lib/configure.sh
. "$LIB/configure.sh"

# review_dest NAME: where the proposal for NAME goes under patches/:
# from-X.Y.Z/ for a newer release, upto-X.Y.Z/ for an older one (a
# distribution's pin below ours; R_BACKWARD), the line's own for a new line.
R_BACKWARD=''
review_dest() {
	if [ -n "$NEW_LINE" ]; then
		echo "$LINE/$1"
	elif [ -n "$R_BACKWARD" ]; then
		echo "$LINE/upto-$RELEASE/$1"
	else
		echo "$LINE/from-$RELEASE/$1"
	fi
}

# with_applies_to SPEC FILE: FILE with "X-Applies-To: SPEC" as the last
# field of its header (replacing one it had); no SPEC: the field removed.
with_applies_to() {
	awk -v spec="$1" '
	done { print; next }
	/^X-Applies-To:/ { next }
	/^$/ || /^---( |$)/ || /^diff / || /^Index: / {
		if (spec != "") print "X-Applies-To: " spec
		done = 1
	}
	{ print }' "$2"
}

# compile_dirs: the top two directories of every C file the scratch
# series touches (drivers/xen/, drivers/pci/), sorted.
compile_dirs() {
	sed -n 's|^+++ b/\([^/	]*/[^/	]*\)/[^	]*\.c\([	].*\)\{0,1\}$|\1/|p' "$QUILT_DIR"/*.patch "$QUILT_DIR"/*/*.patch 2>/dev/null | sort -u | paste -sd' ' -
}

# refresh_compile: the scratch tree configured with the qemu profile
# (its base, fragments, olddefconfig and audit) and make W=1 on
# compile_dirs. Sets R_COMPILE ("ok: ..." or "FAILED: first error") and
# returns nonzero on failure; the log is WORKDIR/logs/refresh-compile.log.
refresh_compile() {
	local dirs log=$WORKDIR/logs/refresh-compile.log cfg=.config.refresh dropped
	ensure_deps configure compile
	dirs=$(compile_dirs)
	[ -n "$dirs" ] || dirs='drivers/xen/ drivers/pci/'
	OPT_PROFILE=qemu OPT_BASE='' OBJDIR=$REFRESH_SCRATCH/build
	load_profile
	mkdir -p "$OBJDIR"
	: >"$log"
	info "    compile: make W=1 $dirs on the qemu profile"
	case $PROFILE_BASE in
	allnoconfig | defconfig) ;;
	*) die "$EXIT_USAGE" "refresh compiles with the qemu profile, whose base must be allnoconfig or defconfig (not $PROFILE_BASE)" ;;
	esac
	if ! run_child kmake KCONFIG_CONFIG=$cfg "$PROFILE_BASE" >>"$log" 2>&1 ||
		! cat "${PROFILE_FRAGMENTS[@]}" >>"$OBJDIR/$cfg" ||
		! run_child kmake KCONFIG_CONFIG=$cfg olddefconfig >>"$log" 2>&1; then
		R_COMPILE="FAILED: the qemu profile's config: $(tail -n 1 "$log")"
		return 1
	fi
	if ! dropped=$(audit_config "$OBJDIR/$cfg" "${PROFILE_FRAGMENTS[@]}"); then
		printf '%s\n' "$dropped" >>"$log"
		R_COMPILE="FAILED: config audit: $(paste -sd' ' <<<"$dropped" | tr -s ' ')"
		return 1
	fi
	mv "$OBJDIR/$cfg" "$OBJDIR/.config"
	# shellcheck disable=SC2086 # directories
	if ! run_child kmake W=1 $dirs >>"$log" 2>&1; then
		R_COMPILE="FAILED: $(grep -m 1 'error:' "$log" | sed "s|^$SRCDIR/||" || tail -n 1 "$log")"
		[ "$R_COMPILE" != "FAILED: " ] || R_COMPILE="FAILED: $(tail -n 1 "$log")"
		return 1
	fi
	R_COMPILE="ok: make W=1 $dirs on the qemu profile, $(grep -c 'warning:' "$log" || true) warning(s)"
}

# refresh_review_write OLD_PIN: OUTDIR/refresh/LINE made anew (a temp dir
# renamed into place) from the R_* results; prints where and the REPORT.
refresh_review_write() {
	local old_pin=$1 out=$OUTDIR/refresh/$LINE tmp name path dest spec cut bounds status=needs-review
	[ ${#R_FAILED[@]} -eq 0 ] && [ "${R_COMPILE#ok}" != "$R_COMPILE" ] || status=fails
	mkdir -p "$OUTDIR/refresh" || die "$EXIT_FAIL" "cannot make $OUTDIR/refresh"
	tmp=$(mktemp -d "$OUTDIR/refresh/.$LINE.XXXXXX")
	# shellcheck disable=SC2034 # run by on_interrupt
	STAGE_UNDO="rm -rf '$tmp'"
	# A new line is proposed whole: its series and its own patches.
	[ -z "$NEW_LINE" ] || { mkdir -p "$tmp/patches" && cp -a "$PATCHES_ROOT/$LINE" "$tmp/patches/"; }
	for name in ${R_PROPOSED[@]+"${R_PROPOSED[@]}"}; do
		path=$(awk -v n="$name" '$1 == n {print $2}' <<<"$R_ENTRIES")
		dest=$tmp/patches/$(review_dest "$name")
		mkdir -p "$(dirname "$dest")"
		spec=">= $RELEASE" cut="< $RELEASE"
		[ -z "$R_BACKWARD" ] || spec="<= $RELEASE" cut="> $RELEASE"
		[ -z "$NEW_LINE" ] || spec=''
		if [ -z "$NEW_LINE" ] && [ -n "$(applies_to "$path")" ]; then
			# The old variant's range ends where the new one starts,
			# which keeps the old one's other bound.
			bounds=$(range_bounds "$path" "$LINE" "$(applies_to "$path")")
			if [ -z "$R_BACKWARD" ]; then
				[ "${bounds#* }" -ge 999999 ] || spec+=", <= $LINE.${bounds#* }"
			else
				[ "${bounds% *}" -eq 0 ] || spec+=", >= $LINE.${bounds% *}"
			fi
			mkdir -p "$tmp/patches/$(dirname "${path#"$PATCHES_ROOT"/}")"
			with_applies_to "$(applies_to "$path"), $cut" "$path" >"$tmp/patches/${path#"$PATCHES_ROOT"/}"
		fi
		with_applies_to "$spec" "$QUILT_DIR/$name.proposed" >"$dest"
		diff -u --label "old/$name" --label "new/$name" "$path" "$dest" >"$tmp/$name.diff" || true
	done
	[ -z "$R_COMPILE" ] || cp "$WORKDIR/logs/refresh-compile.log" "$tmp/compile.log"
	echo "$status" >"$tmp/status"
	{
		echo "refresh of $LINE from $old_pin to linux $RELEASE: $status"
		printf '%s' "$R_REPORT"
		echo "compile: ${R_COMPILE:-not run (no patch applied with fuzz)}"
		[ -z "$NEW_LINE" ] || printf 'pin: %s\t%s\t%s\n' "$LINE" "$RELEASE" "$NEW_LINE_NOTE"
		if [ "$status" = needs-review ]; then
			echo "Review each NAME.diff (old and new patch); to take the proposals:"
			echo "  cp -r $out/patches/. patches/${NEW_LINE:+ and add the pin line above to patches/releases}"
			echo "then dom0kit refresh --kernel $RELEASE carries the rest and moves the pin."
		fi
	} >"$tmp/REPORT"
	if ! { rm -rf "$out.old" && { [ ! -e "$out" ] || mv "$out" "$out.old"; } && mv "$tmp" "$out"; }; then
		die "$EXIT_FAIL" "cannot write $out"
	fi
	rm -rf "$out.old"
	echo "---- $out/REPORT:"
	cat "$out/REPORT"
}

# refresh_review OLD_PIN: when a patch was proposed or failed, or the
# compile failed: the review dir written and the one-line verdict; dies.
refresh_review() {
	local n=${#R_PROPOSED[@]} out=$OUTDIR/refresh/$LINE name
	refresh_review_write "$1"
	if [ -n "$R_FIRST_FAIL" ]; then
		die "$EXIT_FAIL" "refresh: linux $RELEASE: $R_FIRST_FAIL$([ ${#R_FAILED[@]} -le 1 ] || echo " and $((${#R_FAILED[@]} - 1)) more (see $out/REPORT)"); left for a human, patches/ and the pin unchanged"
	fi
	if [ "${R_COMPILE#ok}" = "$R_COMPILE" ]; then
		name=${R_PROPOSED[0]:-}
		die "$EXIT_FAIL" "refresh: linux $RELEASE: ${name:+$name applies only with fuzz ${R_FUZZ[$name]} and }the tree then does not compile (${R_COMPILE#FAILED: }); report in $out, patches/ and the pin unchanged"
	fi
	die "$EXIT_FAIL" "refresh: needs review: $n proposed variant$([ "$n" = 1 ] || echo s) for linux $RELEASE in $out (patches/ and the pin unchanged)"
}
