#!/usr/bin/env bash
# Test of the CPU image (a step of .ci/run): builds docker/Dockerfile from a local Debian bookworm base, then
#   (a) `docker run IMAGE gaea lookup ARCH` prints the same JSON as the host's `go run ./cmd/gaea lookup ARCH`;
#   (b) `docker run IMAGE gaea search --preset quick --epochs 1` finishes and writes result.json into the
#       mounted /work;
#   (c) the container started as the README says (-p 127.0.0.1:PORT:8888 -e JUPYTER_TOKEN=…) serves Jupyter,
#       and GET /api/kernelspecs with the token lists the GoNB kernel;
#   (d) notebooks/01-mirror-descent-on-the-simplex.ipynb executes headless in the container
#       (jupyter nbconvert --execute) with no network (--network none): the Go caches in the image suffice.
# Prints the time of each step and the image size.
#
# Needs a Docker engine: uses a running one, else installs docker.io (apt) and starts dockerd when root. When
# no engine can start it prints one line, `docker: skipped — <reason>`, and exits 0; GAEA_DOCKER_TEST=0 skips
# too. The base image is $DOCKER_BASE when set, else local/bookworm:minbase, made with debootstrap from the
# host's Debian mirror if missing. The image is tagged $DOCKER_TAG (default gaeanas:test).
set -euo pipefail
# Never end silently: a failing command names itself and its line.
trap 'echo "docker: FAILED — line $LINENO: $BASH_COMMAND (exit $?)"' ERR
cd "$(dirname "$0")/.."

skip() { echo "docker: skipped — $*"; exit 0; }
[ "${GAEA_DOCKER_TEST:-1}" = 0 ] && skip "GAEA_DOCKER_TEST=0"

root=0
[ "$(id -u)" = 0 ] && root=1
apt_install() {
  [ "$root" = 1 ] && command -v apt-get >/dev/null 2>&1 || return 1
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"; } \
    >/tmp/gaeanas-docker-apt.log 2>&1
}

# --- engine -------------------------------------------------------------------------------------------------
if ! command -v docker >/dev/null 2>&1 || { ! docker info >/dev/null 2>&1 && ! command -v dockerd >/dev/null 2>&1; }; then
  apt_install docker.io || skip "no docker command, and docker.io could not be installed"
fi
if ! docker info >/dev/null 2>&1; then
  [ "$root" = 1 ] && command -v dockerd >/dev/null 2>&1 || skip "no Docker engine running, and dockerd cannot be started (not root or not installed)"
  dockerd >/tmp/gaeanas-dockerd.log 2>&1 &
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || skip "dockerd did not start: $(tail -n 1 /tmp/gaeanas-dockerd.log)"
fi

t0=$(date +%s)
lap=$t0
timing() { local now; now=$(date +%s); printf 'docker: %-52s %4ds\n' "$1" $((now - lap)); lap=$now; }

# --- base image ---------------------------------------------------------------------------------------------
base=${DOCKER_BASE:-local/bookworm:minbase}
if ! docker image inspect "$base" >/dev/null 2>&1; then
  [ "$base" = local/bookworm:minbase ] || { echo "docker: base image $base not found"; exit 1; }
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap || { echo "docker: debootstrap missing"; exit 1; }
  # The host's mirror, from whichever apt source files exist (Debian 12 images have no sources.list, only
  # sources.list.d/debian.sources; grep's exit 2 on a missing file must not end the script under pipefail).
  mirror=$( { cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } |
    grep -E '^(URIs:|deb) ' | grep -oE 'https?://[^ ]*/debian/?( |$)' | grep -v security | head -n 1 | tr -d ' ' || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  rootfs=$(mktemp -d /tmp/gaeanas-bookworm.XXXXXX)
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/tmp/gaeanas-debootstrap.log 2>&1 ||
    { tail -n 20 /tmp/gaeanas-debootstrap.log; echo "docker: debootstrap failed"; exit 1; }
  tar -C "$rootfs" -c . | docker import - "$base" >/dev/null
  rm -rf "$rootfs"
  timing "base image $base (debootstrap $mirror)"
fi

# --- build --------------------------------------------------------------------------------------------------
tag=${DOCKER_TAG:-gaeanas:test}
if ! docker/build.sh --base "$base" --tag "$tag" >/tmp/gaeanas-docker-build.log 2>&1; then
  tail -n 40 /tmp/gaeanas-docker-build.log
  echo "docker: build FAILED (log: /tmp/gaeanas-docker-build.log)"
  exit 1
fi
timing "build $tag (BASE=$base)"

tmp=$(mktemp -d /tmp/gaeanas-docker-test.XXXXXX)
cid=""
cleanup() {
  [ -n "$cid" ] && docker rm -f "$cid" >/dev/null 2>&1
  rm -rf "$tmp" 2>/dev/null || true
}
trap cleanup EXIT
fail() { echo "docker: FAILED — $*"; exit 1; }

# --- (a) lookup ---------------------------------------------------------------------------------------------
arch='|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|'
want=$(go run ./cmd/gaea lookup "$arch")
got=$(docker run --rm "$tag" gaea lookup "$arch")
echo "  host:      $want"
echo "  container: $got"
[ "$got" = "$want" ] || fail "(a) gaea lookup differs from the host's"
timing "(a) gaea lookup = host's"

# --- (b) quick search ---------------------------------------------------------------------------------------
mkdir -p "$tmp/work" && chmod 0777 "$tmp/work"
docker run --rm -v "$tmp/work:/work" "$tag" gaea search --preset quick --epochs 1 >"$tmp/search.log" 2>&1 ||
  { tail -n 30 "$tmp/search.log"; fail "(b) gaea search"; }
grep -E '^(backend|search|genotype|NAS-Bench-201|result):' "$tmp/search.log" | sed 's/^/  /'
ls "$tmp"/work/runs/*/result.json >/dev/null 2>&1 || fail "(b) no runs/*/result.json in the mounted /work"
timing "(b) gaea search --preset quick --epochs 1"

# --- (c) Jupyter on a published port ------------------------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
cid=$(docker run -d -p "127.0.0.1:$port:8888" -e JUPYTER_TOKEN="$token" "$tag")
cat >"$tmp/kernelspecs.py" <<'EOF'
import sys, urllib.request
port, token = sys.argv[1], sys.argv[2]
req = urllib.request.Request(f"http://127.0.0.1:{port}/api/kernelspecs", headers={"Authorization": f"token {token}"})
print(urllib.request.urlopen(req, timeout=5).read().decode())
EOF
specs=""
for _ in $(seq 60); do
  specs=$(python3 "$tmp/kernelspecs.py" "$port" "$token" 2>/dev/null) && break
  sleep 1
done
[ -n "$specs" ] || { docker logs "$cid" 2>&1 | tail -n 20; fail "(c) no answer from Jupyter on 127.0.0.1:$port"; }
python3 - "$specs" <<'EOF' || fail "(c) GoNB is not in the kernelspec list: $specs"
import json, sys
d = json.loads(sys.argv[1])
ks = d["kernelspecs"]
print("  kernelspecs:", ", ".join(f'{k} ({v["spec"]["display_name"]}, {v["spec"]["language"]})' for k, v in sorted(ks.items())),
      "— default", d["default"])
sys.exit(0 if "gonb" in ks else 1)
EOF
# Without the token the API refuses.
code=$(python3 -c "
import sys, urllib.request, urllib.error
try: print(urllib.request.urlopen('http://127.0.0.1:$port/api/kernelspecs', timeout=5).status)
except urllib.error.HTTPError as e: print(e.code)")
[ "$code" = 403 ] || fail "(c) /api/kernelspecs without the token answered $code, want 403"
echo "  without the token: HTTP $code"
docker rm -f "$cid" >/dev/null
cid=""
timing "(c) Jupyter on 127.0.0.1:$port lists GoNB"

# --- (d) a notebook, headless and offline -------------------------------------------------------------------
mkdir -p "$tmp/out" && chmod 0777 "$tmp/out"
nb=01-mirror-descent-on-the-simplex.ipynb
docker run --rm --network none -e GAEA_NOTEBOOK_HEADLESS=1 -v "$tmp/out:/out" "$tag" \
  jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=600 --output-dir /out \
  "/home/gaea/gaeanas/notebooks/$nb" >"$tmp/nb.log" 2>&1 ||
  { grep -v '^[IWE][0-9]\{4\} ' "$tmp/nb.log" | tail -n 40; fail "(d) $nb"; }
python3 - "$tmp/out/$nb" <<'EOF' || fail "(d) $nb: outputs missing"
import json, sys
cells = [c for c in json.load(open(sys.argv[1]))["cells"] if c["cell_type"] == "code"]
outs = [o for c in cells for o in c.get("outputs", [])]
errors = sum(o.get("output_type") == "error" for o in outs)
pictures = sum(any(k in o.get("data", {}) for k in ("image/svg+xml", "text/html", "image/png")) for o in outs)
print(f"  {len(cells)} code cells, {len(outs)} outputs, {pictures} pictures/HTML, {errors} errors")
sys.exit(1 if errors or not pictures else 0)
EOF
timing "(d) nbconvert --execute $nb (--network none)"

size=$(docker image inspect -f '{{.Size}}' "$tag")
basesize=$(docker image inspect -f '{{.Size}}' "$base")
echo "docker: ok — image $tag $(awk -v s="$size" -v b="$basesize" 'BEGIN { printf "%.0f MB (base %.0f MB)", s/1e6, b/1e6 }'), $(( $(date +%s) - t0 ))s in all"
