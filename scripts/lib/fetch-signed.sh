# shellcheck shell=bash
# Sources verified with OpenPGP: kernel.org tarballs (.tar.sign over the
# uncompressed tar) and signed git tags.

KERNEL_ORG_KEYS=$DOM0KIT_TOP/scripts/keys/kernel.org

# keyring_from KEYFILE...: a temporary gpgv keyring made of armored or
# binary keys, so gpgv never consults the user's own keyring.
make_keyring() {
	local ring=$1; shift
	local k
	: >"$ring"
	for k in "$@"; do
		gpg --batch --quiet --dearmor <"$k" >>"$ring" 2>/dev/null ||
			cat "$k" >>"$ring"
	done
}
signing_keys() {
	if [ -n "${FETCH_KEYRING:-}" ]; then
		[ -f "$FETCH_KEYRING" ] || die "$EXIT_USAGE" "no such keyring: $FETCH_KEYRING"
		echo "$FETCH_KEYRING"
		return
	fi
	local k found=
	for k in "$KERNEL_ORG_KEYS"/*.asc; do echo "$k"; found=1; done
	[ -n "$found" ] || die "$EXIT_FETCH" "no kernel.org signing keys in $KERNEL_ORG_KEYS"
}

# verify_kernel_org TARBALL SIG: the signature covers the tar, not the xz.
verify_kernel_org() {
	local tarball=$1 sig=$2 ring status
	ring=$(mktemp)
	# shellcheck disable=SC2046
	make_keyring "$ring" $(signing_keys)
	status=0
	xz -dc "$tarball" 2>/dev/null | gpgv --keyring "$ring" "$sig" - >"$WORKDIR/logs/fetch-gpgv.log" 2>&1 || status=1
	rm -f "$ring"
	return $status
}

fetch_kernel_org() {
	local major=${RELEASE%%.*} base name tmp
	base=${DOM0KIT_KERNEL_ORG_URL:-https://cdn.kernel.org/pub/linux/kernel/v$major.x}
	name=linux-$RELEASE.tar.xz
	mkdir -p "$SOURCES_CACHE"
	if [ -f "$SOURCES_CACHE/$name" ] && [ -f "$SOURCES_CACHE/$name.sign" ]; then
		if verify_kernel_org "$SOURCES_CACHE/$name" "$SOURCES_CACHE/$name.sign"; then
			echo "tarball $SOURCES_CACHE/$name"
			return 0
		fi
		rm -f "$SOURCES_CACHE/$name" "$SOURCES_CACHE/$name.sign"
		die "$EXIT_FETCH" "cached $name failed its signature check on reuse; removed it, run fetch again"
	fi
	planned fetch "download $base/$name and ${name%.xz}.sign, verify with gpgv" && return 0
	tmp=$(mktemp -d "$SOURCES_CACHE/.kernel-org.$$.XXXXXX")
	local f
	for f in "$name" "${name%.xz}.sign"; do
		if ! curl -fsS --retry 2 -o "$tmp/$f" "$base/$f" 2>"$tmp/curl.err"; then
			local why
			why=$(head -n 1 "$tmp/curl.err")
			rm -rf "$tmp"
			die "$EXIT_FETCH" "cannot download $base/$f: ${why#curl: }"
		fi
	done
	if ! verify_kernel_org "$tmp/$name" "$tmp/${name%.xz}.sign"; then
		rm -rf "$tmp"
		die "$EXIT_FETCH" "bad or missing signature on $name (see $WORKDIR/logs/fetch-gpgv.log); download removed"
	fi
	mv -f "$tmp/${name%.xz}.sign" "$SOURCES_CACHE/$name.sign"
	mv -f "$tmp/$name" "$SOURCES_CACHE/$name"
	rm -rf "$tmp"
	echo "tarball $SOURCES_CACHE/$name"
}

# git:URL@TAG: a shallow clone of the tag, exported as a tar in the cache.
fetch_git() {
	local spec=$1 url tag key tar tmp
	url=${spec%@*} tag=${spec##*@}
	if [ -z "$url" ] || [ -z "$tag" ]; then
		die "$EXIT_USAGE" "git source needs git:URL@TAG, not git:$spec"
	fi
	key=$(printf '%s' "$spec" | sha256sum | cut -c1-16)
	tar=$SOURCES_CACHE/git-$key-$tag.tar
	if [ -f "$tar" ] && [ -f "$tar.sha256" ] && [ "$(sha256_of "$tar")" = "$(cat "$tar.sha256")" ]; then
		echo "tarball $tar"
		return 0
	fi
	rm -f "$tar" "$tar.sha256"
	planned fetch "git clone --depth 1 --branch $tag $url" && return 0
	mkdir -p "$SOURCES_CACHE"
	tmp=$(mktemp -d "$SOURCES_CACHE/.git.$$.XXXXXX")
	if ! git clone -q --depth 1 --branch "$tag" "$url" "$tmp/tree" >"$WORKDIR/logs/fetch-git.log" 2>&1; then
		rm -rf "$tmp"
		die "$EXIT_FETCH" "cannot clone tag $tag of $url (see $WORKDIR/logs/fetch-git.log)"
	fi
	if [ -n "${FETCH_KEYRING:-}" ]; then
		local home
		home=$(mktemp -d)
		# shellcheck disable=SC2046
		gpg --homedir "$home" --batch --quiet --import $(signing_keys) 2>/dev/null
		if ! GNUPGHOME=$home git -C "$tmp/tree" verify-tag "$tag" >>"$WORKDIR/logs/fetch-git.log" 2>&1; then
			rm -rf "$tmp" "$home"
			die "$EXIT_FETCH" "tag $tag of $url has no good signature from the configured keys"
		fi
		rm -rf "$home"
	fi
	check_release_matches "$url@$tag" "$(head -n 10 "$tmp/tree/Makefile" | makefile_release)"
	git -C "$tmp/tree" archive --prefix="linux-$RELEASE/" -o "$tmp/out.tar" "$tag"
	sha256_of "$tmp/out.tar" >"$tar.sha256"
	mv -f "$tmp/out.tar" "$tar"
	rm -rf "$tmp"
	echo "tarball $tar"
}
