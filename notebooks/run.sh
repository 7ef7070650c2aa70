#!/usr/bin/env bash
# Executes the GoNB notebooks headless and fails if any cell fails.
#
#   bash notebooks/run.sh [--save] [notebooks/NAME.ipynb ...]     (default: every notebooks/*.ipynb)
#
# Installs what is missing: Debian's Jupyter (nbconvert, client, core), GoNB built at the version pinned in
# go.mod, goimports, and the GoNB kernelspec. Executed copies go to $NOTEBOOKS_OUT (default notebooks/.out,
# ignored by git); --save copies them back over the sources, so that the committed notebooks carry the
# outputs of a successful run. Runs on the pure-Go backend (GOMLX_BACKEND=go) unless GOMLX_BACKEND is set.
set -euo pipefail
cd "$(dirname "$0")/.."

save=0
notebooks=()
for arg in "$@"; do
  case "$arg" in
    --save) save=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) notebooks+=("$arg") ;;
  esac
done
if [ ${#notebooks[@]} -eq 0 ]; then
  notebooks=(notebooks/*.ipynb)
fi

sudo=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi

# Jupyter from Debian (the notebooks need nbconvert's execute preprocessor and a kernel manager).
if [ ! -x /usr/bin/jupyter-nbconvert ]; then
  echo "installing jupyter-nbconvert (apt)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    jupyter-nbconvert jupyter-client jupyter-core >/dev/null
fi

# GoNB at go.mod's version, built from the module cache (`go install …@version` would consult the proxy's
# version list), and goimports, which GoNB runs on every cell.
bin="$(go env GOBIN)"
[ -n "$bin" ] || bin="$(go env GOPATH)/bin"
mkdir -p "$bin"
export PATH="$bin:$PATH"
gonb_version="$(go list -m -f '{{.Version}}' github.com/janpfeifer/gonb)"
go build -o "$bin/gonb" github.com/janpfeifer/gonb
if ! command -v goimports >/dev/null 2>&1; then
  echo "installing goimports"
  go install golang.org/x/tools/cmd/goimports@v0.52.0
fi
gonb --install --raw_error --force_deps >/dev/null 2>&1 || { echo "gonb --install failed"; gonb --install --raw_error --force_deps; exit 1; }
echo "GoNB $gonb_version, $(go version | cut -d' ' -f3), jupyter-nbconvert $(/usr/bin/jupyter-nbconvert --version)"

export GOMLX_BACKEND="${GOMLX_BACKEND:-go}"
export GOMLX_NO_AUTO_INSTALL=1
export GAEA_NOTEBOOK_HEADLESS=1 # notebooks skip their interactive widgets

# GoNB rewrites the notebook's language metadata when it runs it (pygments_lexer and codemirror_mode
# empty), and nbconvert's HTML export then highlights Go as Python. declare_go puts it back after every
# execution; TestNotebooksDeclareGo (notebooks/notebooks_test.go, in go test ./...) fails on a committed
# notebook without it.
declare_go() {
  /usr/bin/python3 - "$1" <<'PY'
import sys, nbformat
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
nb.metadata.setdefault("language_info", {}).update(
    name="go", pygments_lexer="go", codemirror_mode="go", file_extension=".go", mimetype="text/x-go")
nbformat.write(nb, path)
PY
}

out="${NOTEBOOKS_OUT:-notebooks/.out}"
mkdir -p "$out"
failed=()
total_start=$(date +%s)
for nb in "${notebooks[@]}"; do
  name="$(basename "$nb")"
  log="$out/${name%.ipynb}.log"
  start=$(date +%s)
  if /usr/bin/jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=600 \
      --output-dir "$out" "$nb" >"$log" 2>&1; then
    declare_go "$out/$name"
    printf '%-45s ok      %4ds\n' "$name" $(( $(date +%s) - start ))
    if [ "$save" = 1 ]; then cp "$out/$name" "$nb"; fi
  else
    printf '%-45s FAILED  %4ds (log: %s)\n' "$name" $(( $(date +%s) - start )) "$log"
    # The failing cell and its error, without the kernel's own log lines.
    grep -v '^[IWE][0-9]\{4\} ' "$log" | tail -n 40
    failed+=("$name")
  fi
done
printf 'notebooks: %d run, %d failed, %ds\n' "${#notebooks[@]}" "${#failed[@]}" $(( $(date +%s) - total_start ))
[ ${#failed[@]} -eq 0 ]
