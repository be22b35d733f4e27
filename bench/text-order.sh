#!/usr/bin/env bash
# Writes packaging/text-order.txt: the functions of guest-agent that a first boot runs, for
# lld's --symbol-ordering-file in scripts/release-build.sh, which places them together at
# the start of .text. Why: the kernel maps code in 64 KiB blocks around each page fault,
# and a run that calls 5,000 functions spread over 13 MB of code makes most of the code
# resident; packed together they take a few MB (README, "Performance").
#
# How: valgrind's callgrind runs the release build (debug info stripped: valgrind cannot
# read it; symbols kept) for a whole `run` against the mock server, once with the EC2
# fixtures and once with the OpenStack ones, into a scratch root with this machine's
# tools, then `status`; every function of the binary that ran is listed, sorted. Names
# that no longer exist are ignored by the link (--no-warn-symbol-ordering), and new ones
# land after the listed ones: the file only needs refreshing after large changes. Two
# profiles differ by a few dozen functions (retries, timing); that changes nothing measurable.
# Usage: bench/text-order.sh   (root: useradd --root; needs valgrind, python3)
#        AGENT_BIN=PATH MOCK_BIN=PATH bench/text-order.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || apt-get install -y -q valgrind >/dev/null
# AGENT_BIN=PATH MOCK_BIN=PATH: release binaries built elsewhere (as bench/peers.sh takes
# them); without them both are built here.
if [ -n "${AGENT_BIN:-}" ] && [ -n "${MOCK_BIN:-}" ]; then
    binary=$AGENT_BIN
    mock=$MOCK_BIN
else
    binary=$(scripts/release-build.sh | tail -1)
    swift build -c release --product mock-metadata-server >/dev/null
    mock=$(swift build -c release --show-bin-path)/mock-metadata-server
fi
work=$(mktemp -d /tmp/guest-agent-text-order-XXXXXX)
servers=()
cleanup() {
  local pid
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
strip --strip-debug -o "$work/guest-agent" "$binary"

template=$work/root-template
source bench/scratch-root.sh
make_scratch_root "$template"
for tool in useradd usermod groupadd chpasswd visudo; do cp "$(command -v "$tool")" "$template/usr/sbin/"; done
cp "$(command -v ssh-keygen)" "$template/usr/bin/"

profile() { # $1 = name; the rest: guest-agent's arguments
    local name=$1
    shift
    valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/$name.callgrind" \
        "$work/guest-agent" "$@" >"$work/$name.log" 2>&1 || { cat "$work/$name.log" >&2; exit 1; }
}
for source in ec2:fixtures/ec2-two-nics openstack:fixtures/default; do
    name=${source%%:*}
    "$mock" --fixtures "${source#*:}" --port 0 >"$work/$name.out" &
    servers+=($!)
    for _ in $(seq 100); do grep -q listening "$work/$name.out" && break; sleep 0.05; done
    url=$(sed -n 's/^listening on //p' "$work/$name.out")
    # Every default plugin but userdata, which needs a shell in the root (as bench/peers.sh).
    printf '[DEFAULT]\nmetadata_services = %s\nmetadata_base_url = %s/\nec2_metadata_base_url = %s/\n%s\n' \
        "$name" "$url" "$url" "plugins = network, hostname, resize, host_keys, users, password, ssh_keys, files" \
        >"$work/$name.conf"
    rm -rf "$work/root" && cp -a "$template" "$work/root"
    profile "$name" run --config "$work/$name.conf" --root "$work/root"
done
profile status status --root "$work/root"

python3 - "$work" >packaging/text-order.txt <<'PY'
import glob, re, sys
ran = set()
for path in glob.glob(sys.argv[1] + "/*.callgrind"):
    names, objects, current = {}, {}, None
    for line in open(path):
        line = line.rstrip("\n")
        object_line = re.match(r"^c?ob=\((\d+)\)(?: (.*))?$", line)
        if object_line:
            key, name = object_line.groups()
            if name:
                objects[key] = name
            if line.startswith("ob="):
                current = objects.get(key, "")
            continue
        function = re.match(r"^(c?fn)=\((\d+)\)(?: (.*))?$", line)
        if function:
            kind, key, name = function.groups()
            if name:
                names[key] = name
            if kind == "fn" and current.endswith("/guest-agent"):
                ran.add(names[key])
print("\n".join(sorted(ran)))
PY
echo "packaging/text-order.txt: $(wc -l <packaging/text-order.txt) functions" >&2
