#!/usr/bin/env bash
# Discovery benchmark: for each metadata source, wall time, peak RSS and HTTP requests of
# one `guest-agent query` (discovery + normalization, no plugins), against the bundled
# mock server with 0 ms and 50 ms of added latency per request. Prints a Markdown table.
# Usage: bench/discovery.sh [runs]   (needs: swift, python3, genisoimage)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
agent=$(scripts/release-build.sh | tail -1)  # the shipped build
swift build -c release --product mock-metadata-server >/dev/null
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d /tmp/guest-agent-bench-XXXXXX)
trap 'kill ${server:-0} 2>/dev/null || true; rm -rf "$work"' EXIT

# A config drive image built exactly as nova does, from the same fixtures.
mkdir -p "$work/stage"
cp -r fixtures/default/openstack fixtures/default/ec2 "$work/stage/"
for v in 2012-08-10 2013-04-04 2013-10-17 2015-10-15 2016-06-30 2016-10-06 2017-02-22 2018-08-27; do
  mkdir -p "$work/stage/openstack/$v"
  cp -n fixtures/default/openstack/latest/* "$work/stage/openstack/$v/" 2>/dev/null || true
done
rm -f "$work/stage/openstack/versions"
genisoimage -o "$work/config-2.iso" -ldots -allow-lowercase -allow-multidot -l \
  -publisher "OpenStack Compute 31.0.0" -quiet -J -r -V config-2 "$work/stage" 2>/dev/null

measure() { # $1 = config file; prints "median_wall_ms max_rss_kib" (bench/peers/measure.py: a
  # monotonic clock, not the 10 ms steps of /usr/bin/time)
  local walls=() rss=0 wall kib
  for _ in $(seq "$runs"); do
    read -r wall _ kib _ <<< "$(python3 bench/peers/measure.py /dev/null /dev/null -- \
        "$agent" query --config "$1" instance_id)"
    walls+=("$wall")
    [ "$kib" -gt "$rss" ] && rss=$kib
  done
  local median
  median=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  echo "$median $rss"
}

echo "| source | added latency | wall (median of $runs) | peak RSS | HTTP requests per run: metadata + injected files |"
echo "|---|---|---|---|---|"
for latency in 0 50; do
  : > "$work/requests.jsonl"
  "$bin/mock-metadata-server" --fixtures fixtures/default --port 0 --latency-ms "$latency" \
      --request-log "$work/requests.jsonl" > "$work/server.out" &
  server=$!
  for _ in $(seq 100); do grep -q listening "$work/server.out" && break; sleep 0.05; done
  url=$(sed -n 's/^listening on //p' "$work/server.out")
  for source in openstack ec2; do
    printf 'metadata_services = %s\nmetadata_base_url = %s/\nec2_metadata_base_url = %s/\n' "$source" "$url" "$url" > "$work/$source.conf"
    # The server appends to its log without O_APPEND, so count differences, never truncate.
    before=$(wc -l < "$work/requests.jsonl")
    files_before=$(grep -c 'openstack.\?/content' "$work/requests.jsonl" || true)
    read -r wall rss <<< "$(measure "$work/$source.conf")"
    total=$(( $(wc -l < "$work/requests.jsonl") - before ))
    # Injected (personality) files cost one request each on top of the metadata documents.
    files=$(( $(grep -c 'openstack.\?/content' "$work/requests.jsonl" || true) - files_before ))
    echo "| $source | ${latency} ms | ${wall} ms | $((rss / 1024)) MiB | $(( (total - files) / runs )) + $(( files / runs )) injected file(s) |"
  done
  kill "$server"; wait "$server" 2>/dev/null || true
done
printf 'metadata_services = configdrive\nconfigdrive_paths = %s\n' "$work/config-2.iso" > "$work/cd.conf"
read -r wall rss <<< "$(measure "$work/cd.conf")"
echo "| configdrive (ISO image file) | - | ${wall} ms | $((rss / 1024)) MiB | 0 + 0 |"
