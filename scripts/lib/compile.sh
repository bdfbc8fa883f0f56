# shellcheck shell=bash
# compile (the build stage): kernel and modules out of tree in
# WORKDIR/build/linux-RELEASE-PROFILE. The tree is kept between runs, so a changed
# patch rebuilds only the objects it touches.

# shellcheck source=scripts/lib/kmake.sh
. "$LIB/kmake.sh"

help_compile() {
	cat <<'H'
Usage: dom0kit compile [--kernel SPEC] [--jobs N] [--distcc HOSTS] [--localversion STR]
Builds bzImage and modules with O=WORKDIR/build/linux-RELEASE-PROFILE, ccache when
installed (cache in ~/.cache/dom0kit/ccache), its misses compiled on the
--distcc hosts when given, LOCALVERSION (default -dom0),
KBUILD_BUILD_TIMESTAMP from the release and a fixed user and host.
Reads:  WORKDIR/src/linux-RELEASE, WORKDIR/build/linux-RELEASE-PROFILE/.config
Writes: WORKDIR/build/linux-RELEASE-PROFILE (arch/x86/boot/bzImage, modules)
H
}

cmd_compile() {
	ensure_deps compile
	if [ -z "$OPT_DRY_RUN" ]; then
		[ -f "$OBJDIR/.config" ] || die "$EXIT_USAGE" "no config for $RELEASE: run dom0kit configure --kernel $RELEASE first"
		require_patched_tree
	fi
	local inputs
	# kmake.sh is an input: a change in how the kernel's make is called
	# (flags, compiler) must reach the tree, not wait for the packager.
	# The patch stamp too: a patch the configure stage does not see (C
	# files only) still changes what is compiled.
	inputs="configure $(stamp_digest "configure@$OPT_PROFILE") patch $(stamp_digest patch) localversion $OPT_LOCALVERSION kmake $(sha256_of "$LIB/kmake.sh")"
	stage_enter compile "compile@$OPT_PROFILE" "$inputs" "$OBJDIR/arch/x86/boot/bzImage" || return 0
	local farm=''
	[ -z "$OPT_DISTCC" ] || farm=" on distcc hosts $OPT_DISTCC"
	planned compile "make -C $SRCDIR O=$OBJDIR -j$OPT_JOBS LOCALVERSION=$OPT_LOCALVERSION bzImage modules$farm" && return 0
	[ -z "$farm" ] || info "    compile$farm, $OPT_JOBS jobs"
	progress_compile run_logged compile kmake bzImage modules || die "$EXIT_FAIL" "$(why_failed compile "kernel build failed (log: $WORKDIR/logs/compile.log)")"
	local krel
	krel=$(kmake -s kernelrelease 2>/dev/null | tail -n 1)
	[ "$krel" = "$KERNELRELEASE" ] || warn "kernel release is $krel, expected $KERNELRELEASE"
	printf '%s\n' "$krel" | write_atomic "$STATEDIR/kernelrelease@$OPT_PROFILE"
	stamp_write "compile@$OPT_PROFILE" "$inputs"
	stage_end compile
}
