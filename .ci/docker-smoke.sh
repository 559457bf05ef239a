#!/usr/bin/env bash
# CI's container check (the replicas profile too, through .ci/docker-replicas.sh): build the
# images (config, rebalance, the Caddy proxy) on a locally made Debian base, start the stack
# with docker-compose, wait for every healthcheck, export the proxy's local root certificate,
# check its TLS and HTTP redirect with curl --cacert, do one real rebalance through it over
# HTTPS, then tear everything down (always) before the replicas check starts its own stack.
#
#   bash .ci/docker-smoke.sh
#
# Self-sufficient on a clean Debian bookworm machine as root: installs docker.io,
# docker-compose and debootstrap with apt-get if missing, starts dockerd if none is running
# (and stops it again at the end), builds rebalancer-base:bookworm if it is missing.
#
# Environment (all optional):
#   BASE_IMAGE            base image for the Dockerfiles (default rebalancer-base:bookworm;
#                         made by scripts/docker-base-image.sh when it is that and missing)
#   COMPOSE_PROJECT_NAME  compose project (default rebalancer-smoke, so a stack of your own
#                         under another name and its volumes are left alone)
#   SMOKE_SAMPLE          positions CSV to rebalance (default ../shared/samples/yifan-lee__...)
#   SMOKE_TIMEOUT         seconds to wait for the healthchecks (default 180)
#   SMOKE_HTTPS_PORT, SMOKE_HTTP_PORT   the proxy's loopback ports (default 18443, 18080)
#   SMOKE_SUBNET          the stack's internal frontend network (default 10.209.92.0/24)
#
# Never prints the CSV, account numbers or the token.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
# shellcheck source=.ci/docker-lib.sh
source "$REPO_ROOT/.ci/docker-lib.sh"

export BASE_IMAGE="${BASE_IMAGE:-rebalancer-base:bookworm}"
export COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME:-rebalancer-smoke}"
SAMPLE="${SMOKE_SAMPLE:-$REPO_ROOT/../shared/samples/yifan-lee__Portfolio_Positions_Mar-04-2025.csv}"
HEALTH_TIMEOUT="${SMOKE_TIMEOUT:-180}"
HTTPS_PORT="${SMOKE_HTTPS_PORT:-18443}"
HTTP_PORT="${SMOKE_HTTP_PORT:-18080}"
# "localhost" is the proxy's default host name: its certificate is made for it.
URL="https://localhost:$HTTPS_PORT"
# The published addresses must be the ones this script talks to, whatever the caller's shell has.
export PROXY_HTTPS_PUBLISH="127.0.0.1:$HTTPS_PORT" PROXY_HTTP_PUBLISH="127.0.0.1:$HTTP_PORT"
export PUBLIC_HTTPS_PORT="$HTTPS_PORT" PROXY_HOSTS=localhost PROXY_TLS=internal

LOG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/docker-smoke.XXXXXX")"
DOCKERD_PID=""
STACK_UP=0
CA_COPY="$REPO_ROOT/docker-ca.crt"
LOCAL_ROOT="$LOG_DIR/local-root.crt"
T0=$SECONDS

log() { printf '[docker-smoke %4ds] %s\n' "$((SECONDS - T0))" "$*"; }
fail() { printf '[docker-smoke %4ds] FAILED: %s\n' "$((SECONDS - T0))" "$*" >&2; exit 1; }
# The last lines of a log file, for a failure.
show_tail() {
    printf -- '----- last %s lines of %s -----\n' "${2:-40}" "$1" >&2
    tail -n "${2:-40}" "$1" >&2 || true
    printf -- '-----\n' >&2
}

dump_stack() {
    docker-compose ps >&2 || true
    local svc
    for svc in config rebalance proxy; do
        printf -- '----- last 60 log lines of %s -----\n' "$svc" >&2
        docker-compose logs --no-color --tail=60 "$svc" >&2 || true
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
    rm -f "$CA_COPY"
    # Dangling images of this project only (old builds, builder stages); tagged ones stay.
    docker image prune -f --filter label=org.rebalancer.project=rebalancer >/dev/null 2>&1
    stop_own_dockerd
    rm -rf "$LOG_DIR"
    # CI runs the test suite after this script, so pytest's summary is the closing line it reads.
    if [ "$rc" -eq 0 ]; then
        log "PASSED in $((SECONDS - T0))s"
    else
        printf '[docker-smoke %4ds] FAILED (exit %s)\n' "$((SECONDS - T0))" "$rc" >&2
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- tools
need_install=()
command -v dockerd >/dev/null 2>&1 || need_install+=(docker.io)
command -v docker >/dev/null 2>&1 || need_install+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || need_install+=(docker-compose)
command -v debootstrap >/dev/null 2>&1 || need_install+=(debootstrap)
command -v curl >/dev/null 2>&1 || need_install+=(curl)
if [ "${#need_install[@]}" -eq 0 ]; then
    log "docker, dockerd, docker-compose, debootstrap and curl are installed"
fi
install_missing
command -v python3 >/dev/null 2>&1 || fail "python3 is needed on the host for the HTTP check"
[ -f "$SAMPLE" ] || fail "sample CSV not found: $SAMPLE"

# ---------------------------------------------------------------- engine
ensure_dockerd

# ---------------------------------------------------------------- base image
if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    log "base image $BASE_IMAGE exists"
elif [ "$BASE_IMAGE" = rebalancer-base:bookworm ]; then
    log "building base image $BASE_IMAGE with scripts/docker-base-image.sh"
    step=$SECONDS
    bash "$REPO_ROOT/scripts/docker-base-image.sh" || fail "scripts/docker-base-image.sh"
    log "base image built in $((SECONDS - step))s"
else
    log "base image $BASE_IMAGE is not local; the build will try to pull it"
fi

# ---------------------------------------------------------------- images
# pip and apt inside the build trust this machine's CA bundle (the registries are reached through it).
# The file is git-ignored, used by the builder stages only, and removed again on exit.
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    cp /etc/ssl/certs/ca-certificates.crt "$CA_COPY"
    log "handing this machine's CA bundle to the build as docker-ca.crt"
fi
log "building the images (docker-compose build)"
step=$SECONDS
if ! docker-compose build >"$LOG_DIR/build.log" 2>&1; then
    show_tail "$LOG_DIR/build.log" 60
    fail "docker-compose build"
fi
rm -f "$CA_COPY"
log "images built in $((SECONDS - step))s: $(docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' \
    | grep -E '^rebalancer-(config|rebalance|proxy):local ' | tr '\n' ' ')"

# ---------------------------------------------------------------- stack
use_frontend_subnet "${SMOKE_SUBNET:-10.209.92.0/24}"
log "docker-compose up -d (project $COMPOSE_PROJECT_NAME, proxy on $URL, frontend $FRONTEND_SUBNET)"
STACK_UP=1
if ! docker-compose up -d --no-build >"$LOG_DIR/up.log" 2>&1; then
    show_tail "$LOG_DIR/up.log" 30
    fail "docker-compose up -d"
fi

health_of() {
    local id
    id="$(docker-compose ps -q "$1")"
    [ -n "$id" ] || { echo missing; return 0; }
    docker inspect --format '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}{{if .RestartCount}}/restarted{{end}}' "$id"
}
SERVICES=(config rebalance proxy)
log "waiting up to ${HEALTH_TIMEOUT}s for ${SERVICES[*]}"
step=$SECONDS
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
log "all healthy in $((SECONDS - step))s (${states[*]})"

# ---------------------------------------------------------------- TLS through the proxy
export_local_root "$LOCAL_ROOT"
check_proxy_tls "$URL" "http://localhost:$HTTP_PORT" "$LOCAL_ROOT"

# ---------------------------------------------------------------- one real rebalance
log "rebalancing the sample portfolio through $URL"
python3 - "$URL" "$SAMPLE" "$LOCAL_ROOT" <<'PY'
"""Token, config, rebalance over the public API. Prints no CSV, no account number, no token."""
import csv
import io
import json
import re
import ssl
import sys
import urllib.error
import urllib.request
import uuid

base, sample_path, local_root = sys.argv[1], sys.argv[2], sys.argv[3]
# The proxy's certificate, verified against the local root exported from it.
tls = ssl.create_default_context(cafile=local_root)
secrets: list[str] = []


def scrub(text: str) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def say(message: str) -> None:
    print(f"[docker-smoke]        {scrub(message)}", flush=True)


def call(method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None):
    request = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=120, context=tls) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def expect(status: int, raw: bytes, wanted: int, what: str) -> object:
    try:
        document = json.loads(raw)
    except ValueError:
        document = None
    if status != wanted:
        detail = document.get("errors") if isinstance(document, dict) else raw[:300].decode("utf-8", "replace")
        say(f"{what}: HTTP {status}, expected {wanted}: {detail}")
        sys.exit(1)
    if not isinstance(document, dict):
        say(f"{what}: HTTP {status} but the body is not a JSON object")
        sys.exit(1)
    return document


def tax_group(name: str) -> str:
    lowered = name.lower()
    if re.search(r"roth|health savings|\bhsa\b", lowered):
        return "tax_free"
    if re.search(r"401|403|457|\bira\b|rollover|pension|sep\b|simple", lowered):
        return "tax_deferred"
    return "taxable"


raw_csv = open(sample_path, "rb").read()
accounts: dict[str, str] = {}
for row in csv.reader(io.StringIO(raw_csv.decode("utf-8-sig", "replace"))):
    if len(row) >= 8 and row[0].strip() and row[0].strip() != "Account Number":
        accounts.setdefault(row[0].strip(), row[1].strip())
secrets.extend(sorted(accounts, key=len, reverse=True))
if not accounts:
    say("no accounts found in the sample CSV")
    sys.exit(1)
groups = {number: tax_group(name) for number, name in accounts.items()}
say(f"sample has {len(accounts)} accounts: " + ", ".join(
    f"{g}={sum(1 for v in groups.values() if v == g)}" for g in ("taxable", "tax_deferred", "tax_free")))

status, raw = call("GET", "/api/v1/token")
token = expect(status, raw, 200, "GET /api/v1/token").get("token")
if not isinstance(token, str) or len(token) < 16:
    say("GET /api/v1/token: no usable token in the answer")
    sys.exit(1)
secrets.insert(0, token)
say("GET /api/v1/token -> 200")
auth = {"Authorization": f"Bearer {token}"}

config = {"accounts": [{"number": n, "tax_group": g, "description": f"smoke {g}"} for n, g in groups.items()]}
status, raw = call("PUT", "/api/v1/config", json.dumps(config).encode(),
                   {**auth, "Content-Type": "application/json"})
if status not in (200, 204):
    expect(status, raw, 200, "PUT /api/v1/config")
say(f"PUT /api/v1/config -> {status}")

boundary = uuid.uuid4().hex
body = (
    f"--{boundary}\r\n"
    'Content-Disposition: form-data; name="positions"; filename="positions.csv"\r\n'
    "Content-Type: text/csv\r\n\r\n"
).encode() + raw_csv + f"\r\n--{boundary}--\r\n".encode()
status, raw = call("POST", "/api/v1/rebalance", body,
                   {**auth, "Content-Type": f"multipart/form-data; boundary={boundary}"})
result = expect(status, raw, 200, "POST /api/v1/rebalance")
trades = result.get("trades")
if not isinstance(trades, list):
    say("POST /api/v1/rebalance -> 200 but no 'trades' list in the answer")
    sys.exit(1)
say(f"POST /api/v1/rebalance -> 200, mode={result.get('mode')}, {len(trades)} trades, "
    f"{len(result.get('warnings') or [])} warnings")
PY
log "rebalance through the proxy over HTTPS: OK"

# ---------------------------------------------------------------- the proxy's limits
# A body over MAX_UPLOAD_BYTES (default 5 MiB) is refused by the proxy with the service's 413.
# Over HTTP/1.1, where curl waits for it (Expect: 100-continue); over HTTP/2 the status always
# arrives, but Go's server may reset the stream before its short body.
head -c $((5 * 1024 * 1024 + 1)) /dev/zero >"$LOG_DIR/too-large.csv"
answer="$(curl -sS --http1.1 --max-time 60 --cacert "$LOCAL_ROOT" -o "$LOG_DIR/too-large.json" -w '%{http_code}' \
    -H "Authorization: Bearer $(printf '%064d' 0)" -F "positions=@$LOG_DIR/too-large.csv;type=text/csv" \
    "$URL/api/v1/rebalance")" || fail "curl: the oversized upload"
[ "$answer" = 413 ] && grep -q '"field": "body"' "$LOG_DIR/too-large.json" \
    || fail "an upload over 5 MiB through the proxy: HTTP $answer, not the 413 on body"
log "an upload of 5 MiB + 1 byte: 413 from the proxy"
# Guesses that each forge an X-Forwarded-For of their own: the proxy replaces the header and
# the service believes only the proxy's, so they count against this one client (50 tokens).
answered=0
for n in $(seq 1 60); do
    code="$(curl -sS --max-time 20 --cacert "$LOCAL_ROOT" -o /dev/null -w '%{http_code}' \
        -H "Authorization: Bearer $(printf '%064x' "$((n + 4096))")" -H "X-Forwarded-For: 203.0.113.$n" \
        "$URL/api/v1/config")" || fail "curl: guess $n"
    case "$code" in
        200) answered=$((answered + 1)) ;;
        429) ;;
        *) fail "guess $n through the proxy: HTTP $code" ;;
    esac
done
# The sample's own token counted too, so 49 of these are answered.
[ "$answered" -lt 60 ] && [ "$answered" -ge 45 ] || fail "$answered of 60 forged guesses answered: the limit was bypassed"
log "60 guesses with forged X-Forwarded-For: $answered answered, then 429"

# ---------------------------------------------------------------- the replicas profile
# One stack at a time on two cores: this one goes before the replicas check starts its own.
log "docker-compose down -v (the replicas check starts a stack of its own)"
docker-compose down -v --remove-orphans >"$LOG_DIR/down.log" 2>&1 || { show_tail "$LOG_DIR/down.log" 20; fail "docker-compose down -v"; }
STACK_UP=0
bash "$REPO_ROOT/.ci/docker-replicas.sh" || fail "the replicas profile (.ci/docker-replicas.sh)"
