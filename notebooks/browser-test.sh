#!/usr/bin/env bash
# Real-browser test of the live cell of notebooks/05-live-search.ipynb.
#
#   bash notebooks/browser-test.sh
#
# Installs what is missing (Debian's chromium and jupyter-notebook, GoNB built at go.mod's version,
# goimports, the GoNB kernelspec), starts a Notebook 6 server on 127.0.0.1 with the GoNB kernel over a copy
# of the notebook, and runs the Go test in notebooks/browsertest: headless Chromium (chromedp) runs the cells,
# moves the η_θ slider, clicks every button and checks from the page that θ moved as exponentiated gradient
# says, that the block-step counter advanced and that no error output appeared. Exits 0 only when every
# check passed, and prints the path of the screenshot last. Exits 77 (after one line) when Chromium or the
# Notebook server cannot be installed, so that CI can skip.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

sudo=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -x /usr/bin/jupyter-notebook ] || need+=(jupyter-notebook)
[ -x /usr/bin/jupyter-nbconvert ] || need+=(jupyter-nbconvert)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} (apt)"
  if ! { $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq &&
         DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
           --no-install-recommends "${need[@]}" >/dev/null; }; then
    echo "browser test skipped: could not install ${need[*]}"
    exit 77
  fi
fi

# GoNB at go.mod's version and goimports, as in notebooks/run.sh.
bin="$(go env GOBIN)"
[ -n "$bin" ] || bin="$(go env GOPATH)/bin"
mkdir -p "$bin"
export PATH="$bin:$PATH"
go build -o "$bin/gonb" github.com/janpfeifer/gonb
command -v goimports >/dev/null 2>&1 || go install golang.org/x/tools/cmd/goimports@v0.52.0
gonb --install --raw_error --force_deps >/dev/null 2>&1 || { gonb --install --raw_error --force_deps; exit 1; }

export GOMLX_BACKEND="${GOMLX_BACKEND:-go}"
export GOMLX_NO_AUTO_INSTALL=1
unset GAEA_NOTEBOOK_HEADLESS # the live cell runs only with a browser

# A job folder: the server's notebook directory (a copy of notebook 05 whose first cell points at this
# checkout), its log, Chromium's temporary files, the screenshot.
job="$(mktemp -d "${TMPDIR:-/tmp}/gaea-browser-test.XXXXXX")"
mkdir -p "$job/nb" "$job/tmp"
# Without saved outputs (they would satisfy the test's waits too early, and Notebook 6 treats a notebook with
# outputs it did not make as untrusted).
/usr/bin/jupyter nbconvert --to notebook --ClearOutputPreprocessor.enabled=True --stdout \
  notebooks/05-live-search.ipynb 2>/dev/null | sed "s|\${GONB_DIR}/..|$repo|g" >"$job/nb/05-live-search.ipynb"
port=$(( 20000 + RANDOM % 20000 ))
token="$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
TMPDIR="$job/tmp" /usr/bin/jupyter notebook --no-browser --ip 127.0.0.1 --port "$port" --port-retries 0 \
  --allow-root --NotebookApp.token="$token" --notebook-dir "$job/nb" >"$job/server.log" 2>&1 &
server=$!
trap 'kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$port/api/status?token=$token" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then echo "the notebook server did not start:"; tail -n 20 "$job/server.log"; exit 1; fi
  sleep 1
done
echo "Notebook server $(/usr/bin/jupyter notebook --version) on 127.0.0.1:$port (log: $job/server.log)"

# Chromium's first start on a fresh machine builds its font cache (tens of seconds): start it once here, so
# that the test's waits time the page and not that. (A CI run right after the install failed with "no browser
# answered the widgets within 30 s" twice; the same test on the same machine then passed in 20 s.)
TMPDIR="$job/tmp" timeout 120 chromium --headless --no-sandbox --disable-gpu --dump-dom about:blank >/dev/null 2>&1 || true

shot="$job/live-cell.png"
status=0
TMPDIR="$job/tmp" CHROMIUM="$(command -v chromium)" \
  GAEA_BROWSER_TEST_URL="http://127.0.0.1:$port/notebooks/05-live-search.ipynb?token=$token" \
  GAEA_BROWSER_TEST_SCREENSHOT="$shot" \
  go test -count=1 -v -run TestLiveCell ./notebooks/browsertest/ || status=$?
if [ "$status" != 0 ]; then
  echo "browser test FAILED (server log: $job/server.log)"
  grep -v '^\[I ' "$job/server.log" | tail -n 20 || true
  exit "$status"
fi
echo "browser test passed; screenshot:"
echo "$shot"
