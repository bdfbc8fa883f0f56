# shellcheck shell=bash
# build: every stage in order. As root it installs missing Debian build
# dependencies first; each stage skips itself when its inputs are
# unchanged, so an interrupted run resumes where it stopped.

for stage in fetch patch configure compile package; do
	# shellcheck source=/dev/null
	. "$LIB/$stage.sh"
done

help_build() {
	cat <<'H'
Usage: dom0kit build [--kernel SPEC] [--source SRC] [--profile NAME] [...]
Runs fetch, patch, configure, compile and package; see dom0kit --help for
the options and dom0kit STAGE --help for each stage. Logs go to
WORKDIR/logs/STAGE.log, packages to OUTDIR (default ./out).
H
}

cmd_build() {
	local start
	start=$(date +%s)
	ensure_deps --install fetch patch configure compile package
	cmd_fetch
	cmd_patch
	cmd_configure
	cmd_compile
	cmd_package
	[ -n "$OPT_DRY_RUN" ] || info "==> build of $KERNELRELEASE finished in $(elapsed "$start"); packages in $OUTDIR"
}
