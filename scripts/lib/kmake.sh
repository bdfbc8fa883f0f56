# shellcheck shell=bash
# kmake: the one way every stage calls the kernel's make, so that the
# configure, compile and package stages agree on every variable (a change
# in CC or LOCALVERSION between them would make kbuild redo everything).

# The release date, from the top Makefile's mtime in the pristine tree,
# keeps the embedded build timestamp reproducible.
build_timestamp() {
	date -u -d "@$(stat -c %Y "$SRCDIR/Makefile")" '+%a %b %e %H:%M:%S UTC %Y'
}

# kbuild_cc: sets KBUILD_CC to the compiler the kernel is built with and,
# when that is ccache, exports the cache's settings. With --distcc, ccache
# hands its misses to distcc (CCACHE_PREFIX): CC stays "ccache gcc", so
# kbuild sees the same command line with or without a farm and a build
# can move between them without recompiling. Without ccache CC is
# "distcc gcc".
kbuild_cc() {
	KBUILD_CC=gcc
	if [ -n "${OPT_DISTCC:-}" ]; then
		export DISTCC_HOSTS=$OPT_DISTCC
		KBUILD_CC="distcc gcc"
	fi
	if command -v ccache >/dev/null 2>&1 && [ -z "${DOM0KIT_NO_CCACHE:-}" ]; then
		KBUILD_CC="ccache gcc"
		[ -z "${OPT_DISTCC:-}" ] || export CCACHE_PREFIX=distcc
		export CCACHE_DIR=${CCACHE_DIR:-$DOM0KIT_CACHE/ccache}
		# Paths under the work dir are hashed relative to it, so the same
		# release built in another work dir still hits the cache.
		export CCACHE_BASEDIR=$WORKDIR CCACHE_NOHASHDIR=1
		# Depend mode skips the preprocessor on a hit and halves the cost
		# of a cold cache.
		export CCACHE_DEPEND=1 CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
	fi
}

# kbuild_prefix_map: compiler flags that take the tree's location out of
# debug info and __FILE__, for the kernel and for its host tools (objtool
# is built with -g and ships in linux-headers). debian/rules passes the
# same string, so packaging does not see a changed command line.
kbuild_prefix_map() {
	printf '%s' "-ffile-prefix-map=$SRCDIR=. -ffile-prefix-map=$OBJDIR=."
}

# bindeb_revision: the Debian revision of the bindeb packager's version
# (package_version), which bindeb-pkg also passes as KBUILD_BUILD_VERSION.
bindeb_revision() { echo "${OPT_REVISION:-1}dom0"; }

# kbuild_build_version: the "#N" of uname -v, as the package stage's make
# will pass it, or packaging recompiles init/version.o and relinks
# vmlinux: 1 for the debian packager (debian/rules), bindeb_revision for
# the kernel's bindeb-pkg.
kbuild_build_version() {
	if [ "${OPT_PACKAGER:-debian}" = bindeb ]; then bindeb_revision; else echo 1; fi
}

kmake() {
	local map
	kbuild_cc
	map=$(kbuild_prefix_map)
	# /usr/bin/make, as debian/rules (#!/usr/bin/make -f) runs it: kbuild
	# records $(MAKE) in vmlinux's and the modules' link commands, so a
	# plain "make" here made every packaging relink them, and the next
	# compile relink them back.
	/usr/bin/make -C "$SRCDIR" O="$OBJDIR" ARCH=x86_64 CC="$KBUILD_CC" -j"$OPT_JOBS" \
		LOCALVERSION="$OPT_LOCALVERSION" \
		KBUILD_BUILD_TIMESTAMP="$(build_timestamp)" \
		KBUILD_BUILD_USER=dom0kit KBUILD_BUILD_HOST=dom0kit KBUILD_BUILD_VERSION="$(kbuild_build_version)" \
		KCFLAGS="$map" HOSTCFLAGS="$map" \
		"$@"
}
