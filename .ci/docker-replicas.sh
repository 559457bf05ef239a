#!/usr/bin/env bash
# The "replicas" compose profile: two rebalance replicas behind the Caddy proxy.
# Starts the stack with the profile, waits for every healthcheck, exports the proxy's local
# root certificate, sends requests over HTTPS through the proxy (curl --cacert), and checks
# from the containers' access logs that both replicas served some; also that a configuration
# written through one replica reads back through the other, and that requests still succeed
# with one replica stopped. Always tears down (down -v).
#
#   bash .ci/docker-replicas.sh
#
# Self-sufficient like .ci/docker-smoke.sh (which calls it at its end): installs docker.io and
# docker-compose with apt-get if missing, starts dockerd if none is running (and stops it again
# at the end), makes rebalancer-base:bookworm if it is missing, builds the images only if they
# are missing (`docker-compose build` refreshes them; docker-smoke.sh does).
#
# Environment (all optional):
#   BASE_IMAGE            base image for the Dockerfiles (default rebalancer-base:bookworm)
#   REPLICAS_PROJECT      compose project (default rebalancer-replicas: its own containers and
#                         volumes, so any other stack, the smoke's included, is left alone;
#                         COMPOSE_PROJECT_NAME is not read, since docker-smoke.sh exports its own)
#   REPLICAS_HTTPS_PORT, REPLICAS_HTTP_PORT   the proxy's loopback ports (default 19443, 19080)
#   REPLICAS_SUBNET       the stack's internal frontend network (default 10.209.91.0/24)
#   REPLICAS_REQUESTS     requests to spread over the replicas (default 20)
#   REPLICAS_TIMEOUT      seconds to wait for the healthchecks (default 180)
#
# Its ports and subnet differ from docker-smoke.sh's and the compose defaults, so neither a
# user's stack nor the smoke's clashes with it. Never prints a token.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
# shellcheck source=.ci/docker-lib.sh
source "$REPO_ROOT/.ci/docker-lib.sh"

export BASE_IMAGE="${BASE_IMAGE:-rebalancer-base:bookworm}"
export COMPOSE_PROJECT_NAME="${REPLICAS_PROJECT:-rebalancer-replicas}"
# docker-compose 1.28+ and Compose v2 both read the active profiles from here.
export COMPOSE_PROFILES=replicas
HTTPS_PORT="${REPLICAS_HTTPS_PORT:-19443}"
HTTP_PORT="${REPLICAS_HTTP_PORT:-19080}"
export PROXY_HTTPS_PUBLISH="127.0.0.1:$HTTPS_PORT" PROXY_HTTP_PUBLISH="127.0.0.1:$HTTP_PORT"
export PUBLIC_HTTPS_PORT="$HTTPS_PORT" PROXY_HOSTS=localhost PROXY_TLS=internal
use_frontend_subnet "${REPLICAS_SUBNET:-10.209.91.0/24}"
REQUESTS="${REPLICAS_REQUESTS:-20}"
HEALTH_TIMEOUT="${REPLICAS_TIMEOUT:-180}"
URL="https://localhost:$HTTPS_PORT"
SERVICES=(config rebalance rebalance-2 proxy)
REPLICAS=(rebalance rebalance-2)

LOG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/docker-replicas.XXXXXX")"
DOCKERD_PID=""
STACK_UP=0
CA_COPY="$REPO_ROOT/docker-ca.crt"
CA_MADE=0
LOCAL_ROOT="$LOG_DIR/local-root.crt"
T0=$SECONDS

log() { printf '[docker-replicas %4ds] %s\n' "$((SECONDS - T0))" "$*"; }
fail() { printf '[docker-replicas %4ds] FAILED: %s\n' "$((SECONDS - T0))" "$*" >&2; exit 1; }
show_tail() {
    printf -- '----- last %s lines of %s -----\n' "${2:-40}" "$1" >&2
    tail -n "${2:-40}" "$1" >&2 || true
    printf -- '-----\n' >&2
}

dump_stack() {
    docker-compose ps >&2 || true
    local svc
    for svc in "${SERVICES[@]}"; do
        printf -- '----- last 40 log lines of %s -----\n' "$svc" >&2
        docker-compose logs --no-color --tail=40 "$svc" >&2 || true
    done
}

cleanup() {
    local rc=$?
    set +e
    if [ "$rc" -ne 0 ] && [ "$STACK_UP" -eq 1 ]; then dump_stack; fi
    if [ "$STACK_UP" -eq 1 ]; then
        log "docker-compose down -v"
        docker-compose down -v --remove-orphans >"$LOG_DIR/down.log" 2>&1 || show_tail "$LOG_DIR/down.log" 20
    fi
    if [ "$CA_MADE" -eq 1 ]; then rm -f "$CA_COPY"; fi
    docker image prune -f --filter label=org.rebalancer.project=rebalancer >/dev/null 2>&1
    stop_own_dockerd
    rm -rf "$LOG_DIR"
    if [ "$rc" -eq 0 ]; then
        log "PASSED in $((SECONDS - T0))s"
    else
        printf '[docker-replicas %4ds] FAILED (exit %s)\n' "$((SECONDS - T0))" "$rc" >&2
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- tools and engine
need_install=()
command -v dockerd >/dev/null 2>&1 || need_install+=(docker.io)
command -v docker >/dev/null 2>&1 || need_install+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || need_install+=(docker-compose)
command -v curl >/dev/null 2>&1 || need_install+=(curl)
if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 && [ "$BASE_IMAGE" = rebalancer-base:bookworm ]; then
    command -v debootstrap >/dev/null 2>&1 || need_install+=(debootstrap)
fi
install_missing
command -v python3 >/dev/null 2>&1 || fail "python3 is needed on the host for the HTTP check"

ensure_dockerd

# ---------------------------------------------------------------- images
if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    if [ "$BASE_IMAGE" = rebalancer-base:bookworm ]; then
        log "building base image $BASE_IMAGE with scripts/docker-base-image.sh"
        bash "$REPO_ROOT/scripts/docker-base-image.sh" || fail "scripts/docker-base-image.sh"
    else
        log "base image $BASE_IMAGE is not local; the build will try to pull it"
    fi
fi
missing=()
docker image inspect rebalancer-config:local >/dev/null 2>&1 || missing+=(config)
docker image inspect rebalancer-rebalance:local >/dev/null 2>&1 || missing+=(rebalance)
docker image inspect rebalancer-proxy:local >/dev/null 2>&1 || missing+=(proxy)
step=$SECONDS
if [ "${#missing[@]}" -gt 0 ]; then
    # As in docker-smoke.sh: pip and apt inside the build trust this machine's CA bundle.
    if [ ! -f "$CA_COPY" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
        cp /etc/ssl/certs/ca-certificates.crt "$CA_COPY"
        CA_MADE=1
    fi
    log "building ${missing[*]} (docker-compose build)"
    if ! docker-compose build "${missing[@]}" >"$LOG_DIR/build.log" 2>&1; then
        show_tail "$LOG_DIR/build.log" 60
        fail "docker-compose build ${missing[*]}"
    fi
    if [ "$CA_MADE" -eq 1 ]; then rm -f "$CA_COPY"; CA_MADE=0; fi
fi
log "images ready in $((SECONDS - step))s"

# ---------------------------------------------------------------- stack
log "docker-compose up -d with profile replicas (project $COMPOSE_PROJECT_NAME, proxy on $URL)"
STACK_UP=1
step=$SECONDS
if ! docker-compose up -d --no-build >"$LOG_DIR/up.log" 2>&1; then
    show_tail "$LOG_DIR/up.log" 30
    fail "docker-compose up -d"
fi

container_of() { docker-compose ps -q "$1"; }
health_of() {
    local id
    id="$(container_of "$1")"
    [ -n "$id" ] || { echo missing; return 0; }
    docker inspect --format '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}{{if .RestartCount}}/restarted{{end}}' "$id"
}
log "waiting up to ${HEALTH_TIMEOUT}s for ${SERVICES[*]}"
deadline=$((SECONDS + HEALTH_TIMEOUT))
while :; do
    states=()
    healthy=1
    for svc in "${SERVICES[@]}"; do
        state="$(health_of "$svc")"
        states+=("$svc=$state")
        [ "$state" = running/healthy ] || healthy=0
    done
    [ "$healthy" -eq 0 ] || break
    case "${states[*]}" in
        *exited*|*dead*|*missing*|*restart*) fail "a container stopped: ${states[*]}" ;;
    esac
    [ "$SECONDS" -lt "$deadline" ] || fail "not healthy within ${HEALTH_TIMEOUT}s: ${states[*]}"
    sleep 2
done
log "all healthy in $((SECONDS - step))s"

# Access-log lines "GET /api/v1/token 200" of one replica (health probes are not logged).
token_lines() {
    local id
    id="$(container_of "$1")"
    docker logs "$id" 2>&1 | grep -c 'rebalancer.access: GET /api/v1/token 200' || true
}

# ---------------------------------------------------------------- TLS through the proxy
export_local_root "$LOCAL_ROOT"
check_proxy_tls "$URL" "http://localhost:$HTTP_PORT" "$LOCAL_ROOT"

# N token requests over HTTPS with curl, one connection each, verified against the local root.
token_requests() {
    local n body
    for n in $(seq 1 "$1"); do
        body="$(curl -sS --max-time 60 --cacert "$LOCAL_ROOT" "$URL/api/v1/token")" \
            || fail "curl --cacert: GET /api/v1/token through the proxy (request $n)"
        [[ "$body" =~ ^\{\"token\":\"[0-9a-f]{64}\"\}$ ]] \
            || fail "GET /api/v1/token through the proxy (request $n): no token in the answer"
    done
    log "$1 x GET /api/v1/token -> 200 over HTTPS"
}

# A configuration written through one replica reads back through the others: new connections.
state_check() {
    python3 - "$URL" "$LOCAL_ROOT" <<'PY'
import json
import re
import ssl
import sys
import urllib.error
import urllib.request

base, local_root = sys.argv[1], sys.argv[2]
tls = ssl.create_default_context(cafile=local_root)


def call(method, path, body=None, token=None):
    headers = {"Connection": "close"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(base + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60, context=tls) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, None


status, document = call("GET", "/api/v1/token")
user = document.get("token") if isinstance(document, dict) else None
if status != 200 or not isinstance(user, str) or not re.fullmatch(r"[0-9a-f]{64}", user):
    sys.exit(f"GET /api/v1/token through the proxy: HTTP {status}, no token")
targets = [{"asset_class": "US TSM", "kind": "percent", "value": "61.5"},
           {"asset_class": "US TBM", "kind": "percent", "value": "38.5"}]
status, _ = call("PUT", "/api/v1/config", json.dumps({"targets": targets}).encode(), user)
if status != 200:
    sys.exit(f"PUT /api/v1/config through the proxy: HTTP {status}")
for _ in range(4):
    status, document = call("GET", "/api/v1/config", token=user)
    if status != 200 or not isinstance(document, dict) or document.get("targets") != targets:
        sys.exit(f"GET /api/v1/config through the proxy: HTTP {status}, not what was written")
print("PUT /api/v1/config, then 4 x GET /api/v1/config on new connections: all read it back")
PY
}

# ---------------------------------------------------------------- spread
declare -A before served
# Send REQUESTS token requests and count, per running replica, the access-log lines they left
# (in served[]); fails unless all REQUESTS show up. A line is written just after its response
# is sent, so the logs get a few seconds to catch up.
spread() {
    local svc total=0
    for svc in "$@"; do before[$svc]="$(token_lines "$svc")"; done
    token_requests "$REQUESTS"
    for _ in $(seq 1 20); do
        total=0
        for svc in "$@"; do
            served[$svc]=$(($(token_lines "$svc") - ${before[$svc]}))
            total=$((total + ${served[$svc]}))
        done
        [ "$total" -lt "$REQUESTS" ] || break
        sleep 0.5
    done
    [ "$total" -eq "$REQUESTS" ] || fail "the replicas ($*) logged $total token requests, not $REQUESTS"
}

log "sending $REQUESTS requests through the proxy, one connection each"
spread "${REPLICAS[@]}"
log "served: rebalance=${served[rebalance]} rebalance-2=${served[rebalance-2]} (of $REQUESTS)"
# Round robin gives each about half.
for svc in "${REPLICAS[@]}"; do
    [ "${served[$svc]}" -ge $((REQUESTS / 4)) ] \
        || fail "$svc served ${served[$svc]} of $REQUESTS: the requests were not spread"
done
log "both replicas served requests"

# ---------------------------------------------------------------- no state in the replicas
log "a configuration written through one replica reads back through the others"
state_check | sed 's/^/    /'

# ---------------------------------------------------------------- one replica down
log "stopping rebalance-2: the proxy must send everything to rebalance"
docker-compose stop -t 20 rebalance-2 >"$LOG_DIR/stop.log" 2>&1 || { show_tail "$LOG_DIR/stop.log" 20; fail "docker-compose stop rebalance-2"; }
spread rebalance
log "all $REQUESTS succeeded, all served by rebalance"
