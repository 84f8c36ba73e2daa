#!/usr/bin/env bash
# Checks deploy/nginx with Debian's nginx: `nginx -t` on the TLS site (voiceagent.conf) with
# voiceagent-http.conf in the http {} context, as the README in deploy/nginx installs them. Only the
# certificate paths (a throwaway self-signed pair) and the snippets folder differ from the shipped
# files; the scale-out test runs the other two files as they are. Usage: check_nginx.sh NGINX_DIR
set -euo pipefail
dir=$(cd "$1" && pwd)
nginx=${VA_NGINX:-/usr/sbin/nginx}
fail() { echo "check_nginx: $*" >&2; exit 1; }
[ -x "$nginx" ] || fail "$nginx not found: scripts/setup installs nginx"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=calls.example.com \
  -keyout "$tmp/privkey.pem" -out "$tmp/fullchain.pem" 2>/dev/null
sed -e "/^ *#/!s|/etc/ssl/voiceagent/|$tmp/|" -e "/^ *#/!s|/etc/nginx/snippets/|$dir/|" "$dir/voiceagent.conf" >"$tmp/voiceagent.conf"
changed=$(diff "$dir/voiceagent.conf" "$tmp/voiceagent.conf" | grep -c '^>' || true)
[ "$changed" -eq 3 ] || fail "expected to rewrite 3 lines (two certificate paths, one include), rewrote $changed"

cat >"$tmp/nginx.conf" <<CONF
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events { worker_connections 64; }
http {
    client_body_temp_path $tmp/body;
    proxy_temp_path $tmp/proxy;
    fastcgi_temp_path $tmp/fastcgi;
    uwsgi_temp_path $tmp/uwsgi;
    scgi_temp_path $tmp/scgi;
    include $dir/voiceagent-http.conf;
    include $tmp/voiceagent.conf;
}
CONF
out=$("$nginx" -t -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/error.log" 2>&1) || fail "nginx -t refused the site: $out"
if grep -q '\[warn\]' <<<"$out"; then fail "nginx -t warned: $out"; fi
echo "check_nginx: $dir/voiceagent.conf: nginx -t ok ($("$nginx" -v 2>&1 | cut -d/ -f2))"
