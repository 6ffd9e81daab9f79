#!/usr/bin/env bash
# Builds the release bot-gateway as one self-contained file: the Swift runtime and Foundation
# linked in (--static-swift-stdlib), the message catalogs and migrations compiled in. It needs
# only the C libraries it was built against on the target machine: libcurl, OpenSSL and hiredis
# (Debian: libcurl4 libssl3 libhiredis0.14). Writes it without its debug symbols to
# .build-static/bot-gateway and prints its size, its start-up time and what ldd says it links.
#   ./scripts/release.sh            # → .build-static/bot-gateway
# RELEASE_SCRATCH_PATH chooses another build folder (default .build-static, beside the
# development build so neither rebuilds the other).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/servers.sh

ensure_packages
scratch="${RELEASE_SCRATCH_PATH:-.build-static}"
swift build -c release --product bot-gateway --static-swift-stdlib --scratch-path "$scratch"
built="$(swift build -c release --product bot-gateway --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)/bot-gateway"
binary="$scratch/bot-gateway"
strip -o "$binary" "$built"

echo "binary: $binary"
echo "size: $(du -h "$binary" | cut -f1) ($(stat -c %s "$binary") bytes; $(du -h "$built" | cut -f1) with debug symbols at $built)"
# Start-up: the time `bot-gateway --help` takes, the same process set-up serve goes through.
start=$(date +%s%N)
"$binary" --help >/dev/null
echo "start-up (--help): $(( ($(date +%s%N) - start) / 1000000 )) ms"
echo "ldd:"
ldd "$binary" | sed 's/^/  /'
if ldd "$binary" | grep -q 'libswift\|libFoundation'; then
    echo "error: the Swift runtime is linked dynamically" >&2
    exit 1
fi
