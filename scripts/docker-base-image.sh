#!/usr/bin/env bash
# Build a local Debian bookworm image with Python 3 (rebalancer-base:bookworm)
# from Debian's own packages, for machines that reach no image registry.
#
#   scripts/docker-base-image.sh [--force]
#
# It runs `debootstrap --variant=minbase bookworm`, installs python3,
# python3-venv, python3-pip and ca-certificates inside with apt-get in a
# chroot, cleans apt's caches and imports the tree with `docker import`.
# Needs root, debootstrap and a running Docker engine.
#
# Environment:
#   BASE_IMAGE_TAG  image to create (default rebalancer-base:bookworm)
#   DEBIAN_MIRROR   Debian mirror (default: the one apt on this machine uses,
#                   else http://deb.debian.org/debian)
#   SECURITY_MIRROR Debian security mirror (default: the one apt uses, if any)
#
# The services' Dockerfiles take it with --build-arg BASE_IMAGE=<tag>.
set -euo pipefail

IMAGE="${BASE_IMAGE_TAG:-rebalancer-base:bookworm}"
SUITE=bookworm
FORCE=0

log() { printf '[base-image] %s\n' "$*"; }
die() { printf '[base-image] ERROR: %s\n' "$*" >&2; exit 1; }

for arg in "$@"; do
    case "$arg" in
        --force) FORCE=1 ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        *) die "unknown argument: $arg" ;;
    esac
done

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap and chroot need it)"
command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install -y debootstrap)"
command -v docker >/dev/null || die "docker is not installed"
docker info >/dev/null 2>&1 || die "the Docker engine is not reachable (is dockerd running?)"

if [ "$FORCE" -eq 0 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
    log "image $IMAGE already exists; nothing to do (use --force to rebuild)"
    exit 0
fi

# Every URI apt on this machine uses, one per line as "URI SUITE...":
# deb822 files (*.sources) and one-line files (sources.list, *.list).
apt_sources() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk '
            function flush() { if (uris != "" && enabled) print uris "\t" suites; uris = ""; suites = ""; enabled = 1 }
            BEGIN { enabled = 1 }
            /^[[:space:]]*$/ { flush(); next }
            /^[[:space:]]*#/ { next }
            tolower($1) == "uris:" { $1 = ""; uris = $0 }
            tolower($1) == "suites:" { $1 = ""; suites = $0 }
            tolower($1) == "enabled:" && tolower($2) == "no" { enabled = 0 }
            END { flush() }
        ' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        # deb [options] URI SUITE COMPONENT...
        awk '$1 == "deb" {
                i = 2
                if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                print $i "\t" $(i + 1)
            }' "$f"
    done
}

# The first URI that carries SUITE_RE among its suites.
pick_mirror() {
    local suite_re="$1" uris suites uri
    while IFS=$'\t' read -r uris suites; do
        if printf ' %s ' "$suites" | grep -Eq "[[:space:]]${suite_re}[[:space:]]"; then
            for uri in $uris; do
                case "$uri" in http://*|https://*) printf '%s\n' "${uri%/}"; return 0 ;; esac
            done
        fi
    done < <(apt_sources)
    return 0
}

MIRROR="${DEBIAN_MIRROR:-$(pick_mirror "$SUITE")}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
SECURITY="${SECURITY_MIRROR:-$(pick_mirror "$SUITE-security")}"
log "Debian mirror: $MIRROR"
if [ -n "$SECURITY" ]; then log "security mirror: $SECURITY"; fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/rebalancer-base.XXXXXX")"
ROOT="$WORK/rootfs"
cleanup() {
    local rc=$?
    if mountpoint -q "$ROOT/proc" 2>/dev/null; then umount -l "$ROOT/proc" || true; fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start=$SECONDS
log "debootstrap --variant=minbase $SUITE (a few minutes)"
if ! debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR" >"$WORK/debootstrap.log" 2>&1; then
    tail -n 30 "$WORK/debootstrap.log" >&2 || true
    tail -n 30 "$ROOT/debootstrap/debootstrap.log" >&2 2>/dev/null || true
    die "debootstrap failed"
fi
log "debootstrap done in $((SECONDS - start))s"

{
    printf 'deb %s %s main\n' "$MIRROR" "$SUITE"
    printf 'deb %s %s-updates main\n' "$MIRROR" "$SUITE"
    if [ -n "$SECURITY" ]; then printf 'deb %s %s-security main\n' "$SECURITY" "$SUITE"; fi
} >"$ROOT/etc/apt/sources.list"
# Name resolution inside the chroot while apt runs; Docker supplies its own later.
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# No daemons may start inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod 0755 "$ROOT/usr/sbin/policy-rc.d"
mount -t proc proc "$ROOT/proc"

in_root() {
    chroot "$ROOT" /usr/bin/env -i \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 HOME=/root "$@"
}

log "installing python3, python3-venv, python3-pip, ca-certificates"
step=$SECONDS
if ! in_root sh -c 'apt-get update -q && apt-get -y -q upgrade && apt-get install -y -q --no-install-recommends python3 python3-venv python3-pip ca-certificates' \
        >"$WORK/apt.log" 2>&1; then
    tail -n 40 "$WORK/apt.log" >&2 || true
    die "apt-get inside the chroot failed"
fi
log "packages installed in $((SECONDS - step))s"

in_root python3 -c 'import sys; assert sys.version_info >= (3, 11), sys.version; print("python", sys.version.split()[0])' \
    | sed 's/^/[base-image] /'

in_root apt-get clean
umount -l "$ROOT/proc"
rm -f "$ROOT/usr/sbin/policy-rc.d"
: >"$ROOT/etc/resolv.conf"
rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/*.bin "$ROOT"/var/cache/debconf/*-old \
    "$ROOT"/var/log/apt/* "$ROOT"/var/log/dpkg.log "$ROOT"/var/log/bootstrap.log \
    "$ROOT"/tmp/* "$ROOT"/root/.cache "$ROOT"/debootstrap
find "$ROOT/usr/share/man" "$ROOT/usr/share/info" -mindepth 1 -delete 2>/dev/null || true
find "$ROOT" -name __pycache__ -type d -prune -exec rm -rf {} +
# debootstrap leaves the host's name here.
printf 'localhost\n' >"$ROOT/etc/hostname"

log "importing as $IMAGE"
tar -C "$ROOT" --numeric-owner --exclude='./proc/*' --exclude='./sys/*' --exclude='./dev/*' -c . \
    | docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'CMD ["/bin/bash"]' \
        --message "debootstrap --variant=minbase $SUITE + python3 (scripts/docker-base-image.sh)" \
        - "$IMAGE" >/dev/null

docker run --rm "$IMAGE" python3 -c 'import sys, venv, ssl; assert sys.version_info >= (3, 11)' \
    || die "the imported image has no usable python3 >= 3.11"
size="$(docker image inspect --format '{{.Size}}' "$IMAGE")"
log "built $IMAGE ($((size / 1024 / 1024)) MiB) in $((SECONDS - start))s"
