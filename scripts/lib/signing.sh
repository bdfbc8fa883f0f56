# shellcheck shell=bash
# Module signing (--sign-key KEY --sign-cert CERT): a generated config
# fragment, audited like the others. Without a key the modules stay
# unsigned and no key is built in: otherwise kbuild would generate a
# throwaway key at build time and no two builds would be identical.
# The config names the key by a path inside the kernel's object tree,
# never this host's: the config travels in the source package, and a
# buildd hands its own key to debian/rules (DOM0KIT_SIGN_KEY and
# DOM0KIT_SIGN_CERT, docs/secure-boot.md), which also signs the image.
# Not kbuild's certs/signing_key.pem: kbuild generates that one anew over
# whatever is there.
SIGNING_PEM_IN_TREE=certs/dom0kit-signing.pem

# signing_fragment: sets SIGNING_FRAGMENT to the audited fragment of a
# signed build (STATEDIR/signing-PROFILE.config), or to nothing; and
# SIGNING_DEFAULTS to the unaudited settings of an unsigned one. Not run
# in a subshell: its errors must stop the run.
signing_fragment() {
	local frag=$STATEDIR/signing-$OPT_PROFILE.config pem=$OBJDIR/$SIGNING_PEM_IN_TREE
	# shellcheck disable=SC2034 # read by configure
	SIGNING_FRAGMENT='' SIGNING_DEFAULTS=''
	if [ -z "${OPT_SIGN_KEY:-}" ] && [ -z "${OPT_SIGN_CERT:-}" ]; then
		# Bases with lockdown force MODULE_SIG on; an empty key keeps kbuild
		# from making one. Where MODULE_SIG is off, kconfig drops these.
		# shellcheck disable=SC2034
		SIGNING_DEFAULTS=$'CONFIG_MODULE_SIG_KEY=""\n# CONFIG_MODULE_SIG_ALL is not set'
		return 0
	fi
	if [ -z "${OPT_SIGN_KEY:-}" ] || [ -z "${OPT_SIGN_CERT:-}" ]; then
		die "$EXIT_USAGE" "module signing needs both --sign-key and --sign-cert"
	fi
	[ -r "$OPT_SIGN_KEY" ] || die "$EXIT_USAGE" "cannot read the signing key $OPT_SIGN_KEY"
	[ -r "$OPT_SIGN_CERT" ] || die "$EXIT_USAGE" "cannot read the signing certificate $OPT_SIGN_CERT"
	command -v openssl >/dev/null || die "$EXIT_DEPS" "module signing needs openssl: apt-get install openssl"
	local keypub certpub
	keypub=$(openssl pkey -in "$OPT_SIGN_KEY" -pubout 2>/dev/null) || die "$EXIT_USAGE" "$OPT_SIGN_KEY is not a PEM private key"
	certpub=$(openssl x509 -in "$OPT_SIGN_CERT" -noout -pubkey 2>/dev/null) || die "$EXIT_USAGE" "$OPT_SIGN_CERT is not a PEM X.509 certificate"
	[ "$keypub" = "$certpub" ] || die "$EXIT_USAGE" "the certificate $OPT_SIGN_CERT does not belong to the key $OPT_SIGN_KEY"
	# shellcheck disable=SC2034 # read by load_profile
	SIGNING_FRAGMENT=$frag
	[ -z "${OPT_DRY_RUN:-}" ] || return 0
	# kbuild wants key and certificate in one PEM file; rewritten only when
	# it changes, as debian/rules does: a newer file relinks the kernel.
	mkdir -p "$(dirname "$pem")" "$STATEDIR"
	cat "$OPT_SIGN_KEY" "$OPT_SIGN_CERT" | cmp -s - "$pem" ||
		(umask 077 && cat "$OPT_SIGN_KEY" "$OPT_SIGN_CERT" | write_atomic "$pem")
	{
		echo "# Modules signed with $(openssl x509 -in "$OPT_SIGN_CERT" -noout -subject) (key+cert sha256 $(sha256_of "$pem"))"
		echo CONFIG_MODULE_SIG=y
		echo CONFIG_MODULE_SIG_ALL=y
		echo CONFIG_MODULE_SIG_SHA256=y
		echo "CONFIG_MODULE_SIG_KEY=\"$SIGNING_PEM_IN_TREE\""
	} | write_atomic "$frag"
}
