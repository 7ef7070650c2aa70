#!/usr/bin/env bash
# Builds a gaeanas image from the repository root.
#
#   docker/build.sh [--cuda] [--base IMAGE] [--tag TAG] [-- EXTRA docker build ARGS...]
#
# Default: the CPU image (docker/Dockerfile) from its default BASE (debian:bookworm-slim), tagged gaeanas:cpu;
# --cuda builds docker/Dockerfile.cuda (tag gaeanas:cuda). --base passes BASE (e.g. a local Debian bookworm
# image). The host's GOPROXY/GOSUMDB/GONOSUMDB/GOPRIVATE are passed on when set, the image's user gets the
# caller's UID (so that bind-mounted folders are writable; 1000 when run as root), and PEM files in
# $DOCKER_EXTRA_CA_DIR (default /usr/local/share/ca-certificates, the locally added CAs, e.g. of a TLS-inspecting
# proxy) are trusted by the build stage only. Prints the build time and the image size.
set -euo pipefail
cd "$(dirname "$0")/.."

dockerfile=docker/Dockerfile
tag=""
base=""
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --cuda) dockerfile=docker/Dockerfile.cuda ;;
    --base) base=$2; shift ;;
    --tag) tag=$2; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
if [ -z "$tag" ]; then
  if [ "$dockerfile" = docker/Dockerfile.cuda ]; then tag=gaeanas:cuda; else tag=gaeanas:cpu; fi
fi

args=(-f "$dockerfile" -t "$tag")
[ -n "$base" ] && args+=(--build-arg "BASE=$base")
if command -v go >/dev/null 2>&1; then
  for v in GOPROXY GOSUMDB GONOSUMDB GOPRIVATE; do
    val=$(go env "$v")
    [ -n "$val" ] && args+=(--build-arg "$v=$val")
  done
fi
uid=$(id -u)
[ "$uid" = 0 ] && uid=1000
args+=(--build-arg "UID=$uid")
ca_dir=${DOCKER_EXTRA_CA_DIR:-/usr/local/share/ca-certificates}
if compgen -G "$ca_dir/*.crt" >/dev/null; then
  args+=(--build-arg "EXTRA_CA_CERTS=$(cat "$ca_dir"/*.crt)")
fi

start=$(date +%s)
docker build "${args[@]}" "${extra[@]}" .
echo "built $tag from $dockerfile${base:+ (BASE=$base)} in $(( $(date +%s) - start ))s; size $(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}')"
