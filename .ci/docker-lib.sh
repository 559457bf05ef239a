# Shared by .ci/docker-smoke.sh and .ci/docker-replicas.sh; sourced, never run.
# The caller defines log, fail and show_tail, and the variables LOG_DIR and DOCKERD_PID.
# shellcheck shell=bash

# Install the Debian packages named in the array need_install (duplicates allowed).
# shellcheck disable=SC2154  # need_install is the caller's array
install_missing() {
    [ "${#need_install[@]}" -gt 0 ] || return 0
    [ "$(id -u)" -eq 0 ] || fail "missing ${need_install[*]} and not root to install them"
    local pkgs
    mapfile -t pkgs < <(printf '%s\n' "${need_install[@]}" | awk '!seen[$0]++')
    log "installing ${pkgs[*]} with apt-get"
    if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${pkgs[@]}"; } \
            >"$LOG_DIR/apt.log" 2>&1; then
        show_tail "$LOG_DIR/apt.log"
        fail "apt-get install ${pkgs[*]}"
    fi
}

# Use the running Docker engine, or start one (its pid goes to DOCKERD_PID).
ensure_dockerd() {
    if docker info >/dev/null 2>&1; then
        log "a Docker engine is already running; using it"
    else
        [ "$(id -u)" -eq 0 ] || fail "no Docker engine is running and not root to start one"
        # A dockerd killed earlier may have left its pid file behind; dockerd refuses to start then.
        if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
            rm -f /var/run/docker.pid
        fi
        log "starting dockerd (log: $LOG_DIR/dockerd.log)"
        dockerd >"$LOG_DIR/dockerd.log" 2>&1 &
        DOCKERD_PID=$!
        for _ in $(seq 1 60); do
            docker info >/dev/null 2>&1 && break
            kill -0 "$DOCKERD_PID" 2>/dev/null || { show_tail "$LOG_DIR/dockerd.log"; DOCKERD_PID=""; fail "dockerd exited"; }
            sleep 1
        done
        docker info >/dev/null 2>&1 || { show_tail "$LOG_DIR/dockerd.log"; fail "dockerd did not answer within 60s"; }
        log "dockerd is up (pid $DOCKERD_PID)"
    fi
    log "engine $(docker version --format '{{.Server.Version}}'), $(docker-compose version --short 2>/dev/null || echo '?') docker-compose"
}

# Stop the dockerd that ensure_dockerd started, if it did.
stop_own_dockerd() {
    [ -n "$DOCKERD_PID" ] || return 0
    log "stopping the dockerd this script started (pid $DOCKERD_PID)"
    kill "$DOCKERD_PID" 2>/dev/null
    for _ in $(seq 1 30); do
        kill -0 "$DOCKERD_PID" 2>/dev/null || break
        sleep 1
    done
    if kill -0 "$DOCKERD_PID" 2>/dev/null; then
        log "dockerd still running after 30s; sending SIGKILL"
        kill -9 "$DOCKERD_PID" 2>/dev/null
    fi
}

# Give this stack's internal "frontend" network the subnet $1 (a /24), with the proxy at .10,
# so a stack under another project name (a user's own, or the other check) does not clash.
use_frontend_subnet() {
    export FRONTEND_SUBNET="$1"
    local network="${1%/*}"
    export PROXY_ADDRESS="${network%.*}.10"
}

# Copy the proxy's local root certificate (Caddy's CA, in the proxy-data volume) to $1,
# as the README tells a user to. The proxy creates it before it first answers over TLS.
export_local_root() {
    local target="$1"
    docker-compose exec -T proxy cat /data/caddy/pki/authorities/local/root.crt >"$target" \
        || fail "no local root certificate in the proxy container"
    grep -q 'BEGIN CERTIFICATE' "$target" || fail "the proxy's root.crt is not a PEM certificate"
    log "local root exported: $(openssl x509 -in "$target" -noout -subject 2>/dev/null || echo '(openssl missing)')"
}

# The proxy's TLS and redirect, with curl: $1 is https://host:port, $2 http://host:port,
# $3 the exported root. /healthz answers over HTTPS verified against the root, is refused
# without it, and plain HTTP is redirected (308) to the same path on HTTPS.
check_proxy_tls() {
    local https_url="$1" http_url="$2" root="$3" answer
    answer="$(curl -sS --max-time 20 --cacert "$root" "$https_url/healthz")" \
        || fail "curl --cacert $root $https_url/healthz"
    [ "$answer" = '{"status":"ok"}' ] || fail "$https_url/healthz answered $answer"
    if curl -sS --max-time 20 -o /dev/null "$https_url/healthz" 2>/dev/null; then
        fail "$https_url was trusted without the local root: not Caddy's local CA"
    fi
    answer="$(curl -sS --max-time 20 -o /dev/null -w '%{http_code} %{redirect_url}' "$http_url/healthz?x=1")" \
        || fail "curl $http_url/healthz"
    [ "$answer" = "308 $https_url/healthz?x=1" ] || fail "$http_url/healthz: expected a 308 to $https_url, got $answer"
    log "TLS verified against the local root, refused without it; HTTP redirected (308) to HTTPS"
}
