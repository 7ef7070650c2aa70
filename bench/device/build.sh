#!/usr/bin/env bash
# Builds bench/device/bin/convnet: the convnet benchmark for linux/amd64 with cgo and default tags, so the
# XLA backend (go-xla, PJRT plugins loaded with dlopen) is compiled in next to the pure-Go backend.
# Run from anywhere in the repository; then carry bench/device/bin to the GPU machine and run
# bench/device/gpu-check.sh there (see its header).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
mkdir -p bench/device/bin
for prog in convnet:./bench/convnet gradcheck:./bench/device/gradcheck gaea:./cmd/gaea; do
  CGO_ENABLED=1 GOOS=linux GOARCH=amd64 go build -trimpath -ldflags="-s -w" -o "bench/device/bin/${prog%%:*}" "${prog#*:}"
done
ls -l bench/device/bin/
# The GPU machine's image may have another glibc: show the newest symbol version the binary needs.
if command -v objdump >/dev/null; then
  echo "needs glibc up to: $(objdump -T bench/device/bin/convnet | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)"
fi
