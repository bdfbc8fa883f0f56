#!/bin/bash
# The private apt setup (scripts/lib/apt-private.sh) honours the site's
# apt proxy and Debian mirror, as apt itself reads them (apt-config dump,
# apt-get indextargets), and never writes /etc/apt. The site here is a
# main config file named by APT_CONFIG; the proxy is a small HTTP server
# on 127.0.0.1 that records what apt asks it for and answers 404.
. "$(dirname "$0")/test-lib.sh"
test_plan 4

cd "$TRASH" || exit 1
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >proxy.py <<'EOF'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(sys.argv[2], "a") as f:
            f.write(self.command + " " + self.path + "\n")
        self.send_error(404)
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
EOF
python3 proxy.py "$PORT" "$TRASH/proxy.log" >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
for _ in $(seq 30); do curl -fs "http://127.0.0.1:$PORT/x" >/dev/null 2>&1; [ -s proxy.log ] && break; sleep 0.2; done
: >proxy.log

# The site: a proxy for http, a Debian mirror and its security mirror in
# a deb822 sources file, nothing from this machine's /etc/apt.
mkdir -p site/parts site/sources.list.d
cat >site/apt.conf <<EOF
Dir::Etc::Parts "$TRASH/site/parts";
Dir::Etc::SourceList "$TRASH/site/sources.list";
Dir::Etc::SourceParts "$TRASH/site/sources.list.d";
Acquire::http::Proxy "http://127.0.0.1:$PORT/";
EOF
: >site/sources.list
cat >site/sources.list.d/debian.sources <<'EOF'
Types: deb
URIs: http://mirror.example.invalid/debian/
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://security.example.invalid/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
cat site/apt.conf >site/apt2.conf
printf 'Acquire::http::Proxy::security.example.invalid "DIRECT";\nAcquire::https::Proxy "http://127.0.0.1:%s/";\n' "$PORT" >>site/apt2.conf
# What the site looked like before any run: content, mode and times.
site_state() { find site -printf '%p %m %T@ %C@\n' | sort && find site -type f -exec sha256sum {} + | sort; }
site_state >site.before
export -f site_state
export APT_CONFIG=$TRASH/site/apt.conf
unset DOM0KIT_DEBIAN_MIRROR DOM0KIT_DEBIAN_SECURITY_MIRROR http_proxy HTTP_PROXY

test_expect_success 'the site proxy carries the private apt requests, to the site mirror' '
	rc=0 && DOM0KIT_CACHE=$PWD/c1 "$DOM0KIT" --workdir w1 fetch >out 2>err || rc=$?
	test "$rc" = 4 && grep -q "cannot read Debian.s indices from http://mirror.example.invalid/debian " err &&
	grep -q "^GET http://mirror.example.invalid/debian/dists/trixie/InRelease$" proxy.log &&
	grep -q "^GET http://security.example.invalid/debian-security/dists/trixie-security/InRelease$" proxy.log &&
	grep -q "deb-src .* http://mirror.example.invalid/debian sid main" c1/apt-src/etc/sources.list &&
	! grep -q deb.debian.org c1/apt-src/etc/sources.list
'

test_expect_success 'DOM0KIT_DEBIAN_MIRROR wins over the site mirror, the proxy still carries it' '
	: >proxy.log && rc=0 &&
	DOM0KIT_CACHE=$PWD/c2 DOM0KIT_DEBIAN_MIRROR=http://other.example.invalid/debian "$DOM0KIT" --workdir w2 fetch >out 2>err || rc=$?
	test "$rc" = 4 && grep -q "^GET http://other.example.invalid/debian/dists/sid/InRelease$" proxy.log &&
	grep -q "^GET http://security.example.invalid/" proxy.log && ! grep -q "mirror.example.invalid" proxy.log
'

test_expect_success 'a per-host DIRECT and an https proxy are carried as apt reads them' '
	: >proxy.log && rc=0 &&
	APT_CONFIG=$PWD/site/apt2.conf DOM0KIT_CACHE=$PWD/c3 "$DOM0KIT" --workdir w3 fetch >out 2>err || rc=$?
	test "$rc" = 4 && grep -q "^GET http://mirror.example.invalid/" proxy.log &&
	! grep -q "security.example.invalid" proxy.log
'

test_expect_success 'the site config is read, never written' '
	site_state | test_cmp site.before -
'
test_done
