#!/usr/bin/env bash
# The HTTP transport comparison of docs/HTTP-TRANSPORT-CHOICE.md: a one-GET client on
# SwiftNIO's HTTP/1.1 pipeline (NIOGet), one on libcurl (CurlGet) and one on a plain socket
# (SocketGet, the shape of the agent's SocketTransport), static release builds,
# stripped. Prints size, dynamic libraries, peak RSS, and wall and CPU time from exec to the
# first request completed (the process exits right after it), median of N runs, against the
# bundled mock server (release build of the repository: swift build -c release --product
# mock-metadata-server).
# Usage: bench/transport-prototype/measure.sh [runs]   (SKIP_BUILD=1: use the built ones)
set -euo pipefail
cd "$(dirname "$0")"
runs=${1:-15}
[ "${SKIP_BUILD:-0}" = 1 ] || swift build -c release --static-swift-stdlib >/dev/null
work=$(mktemp -d /tmp/transport-prototype-XXXXXX)
trap 'kill ${server:-0} 2>/dev/null || true; rm -rf "$work"' EXIT
../../.build/release/mock-metadata-server --fixtures ../../fixtures/default --port 0 > "$work/server.out" &
server=$!
for _ in $(seq 100); do grep -q listening "$work/server.out" && break; sleep 0.05; done
port=$(sed -n 's/^listening on http:\/\/127.0.0.1://p' "$work/server.out")
path=/openstack/latest/meta_data.json
for product in NIOGet CurlGet SocketGet; do strip -o "$work/$product" ".build/release/$product"; done
echo "| prototype | stripped size | shared libraries loaded | peak RSS (max of $runs) | wall, exec to exit (median) | CPU (median) |"
echo "|---|---|---|---|---|---|"
for product in NIOGet CurlGet SocketGet; do
    : > "$work/$product.runs"
    for _ in $(seq "$runs"); do
        if [ "$product" = CurlGet ]; then args=("http://127.0.0.1:$port$path"); else args=(127.0.0.1 "$port" "$path"); fi
        python3 ../peers/measure.py /dev/null /dev/null -- "$work/$product" "${args[@]}" >> "$work/$product.runs"
    done
    median() { sort -n | sed -n "$(( (runs + 1) / 2 ))p"; }
    echo "| $product | $(stat -c %s "$work/$product" | awk '{ printf "%.1f MB", $1 / 1e6 }') |" \
        "$(ldd "$work/$product" | grep -c '=>') | $(awk '{ print $3 }' "$work/$product.runs" | sort -n | tail -1 |
        awk '{ printf "%.1f MiB", $1 / 1024 }') | $(awk '{ print $1 }' "$work/$product.runs" | median) ms |" \
        "$(awk '{ print $2 }' "$work/$product.runs" | median) ms |"
done
