#!/bin/sh
# warm-gonb.sh REPO — run at image build time (with network): does what GoNB does for a notebook of REPO/notebooks
# (a temporary module that requires and replaces github.com/gaeanas/gaeanas, `go get`, `go build`) with every
# package the notebooks import. This fills the module cache, the checksum-database cache (GoNB's temporary
# module has no go.sum, so the go command verifies each module against GOSUMDB: cached, that works offline)
# and the build cache with exactly what the notebooks compile.
set -eu
repo=$1
tmp=$(mktemp -d)
cd "$tmp"
go mod init gonb_warm >/dev/null 2>&1
go mod edit -require=github.com/gaeanas/gaeanas@v0.0.0-00010101000000-000000000000 \
  -replace=github.com/gaeanas/gaeanas="$repo"
{
  echo 'package main'
  echo 'import ('
  # Import paths as they appear in the notebooks' JSON: \"host.tld/path\" (a host name starts with a letter,
  # a path has no space: a printed "../shared/data/cifar10 (…)" is no import).
  grep -hoE '\\"[a-z][a-z0-9-]*(\.[a-z0-9-]+)+/[^\\" ]*\\"' "$repo"/notebooks/*.ipynb | sort -u | sed 's/^\\"\(.*\)\\"$/\t_ "\1"/'
  echo ')'
  echo 'func main() {}'
} >main.go
cat main.go
go get
go build -o /dev/null .
cd /
rm -rf "$tmp"
