#!/bin/sh
# Start Caddy with the Caddyfile. A client that names no server (the address typed as an
# IP) is answered with the certificate of the first of PROXY_HOSTS unless told otherwise.
set -eu
if [ -z "${PROXY_DEFAULT_SNI:-}" ]; then
    PROXY_DEFAULT_SNI="$(printf '%s\n' "$PROXY_HOSTS" | tr ',' ' ' | awk '{ print $1 }')"
    export PROXY_DEFAULT_SNI
fi
exec caddy run --config /etc/caddy/Caddyfile --adapter caddyfile
