#!/usr/bin/env bash
# Set up and run the demo: install prerequisites, build, start the bundled mock metadata
# server on 127.0.0.1, run guest-agent into a scratch root, print what it did.
# Nothing outside the scratch directory (printed at the end) is changed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${SKIP_SETUP:-0}" != 1 ]; then ./scripts/setup.sh; fi
swift build --product guest-agent
swift build --product mock-metadata-server
bin=$(swift build --show-bin-path)

scratch=$(mktemp -d /tmp/guest-agent-demo-XXXXXX)
root="$scratch/root"
mkdir -p "$root/etc" "$root/home"
# A minimal image: the admin user the fixture's metadata asks for (meta.admin_username).
printf 'root:x:0:0:root:/root:/bin/bash\n' > "$root/etc/passwd"
printf 'root:x:0:\nsudo:x:27:\n' > "$root/etc/group"
printf 'root:*:19000:0:99999:7:::\n' > "$root/etc/shadow"
cp /etc/login.defs "$root/etc/" 2>/dev/null || true
mkdir -p "$root/root"
# With --root the agent runs the image's own tools (looked up under the root): give the
# scratch image the build machine's account tools, as links.
mkdir -p "$root/usr/sbin"
for tool in useradd usermod groupadd chpasswd visudo; do
    path=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$tool" || true)
    if [ -n "$path" ]; then ln -s "$path" "$root/usr/sbin/$tool"; fi
done

"$bin/mock-metadata-server" --fixtures fixtures/default --port 0 --request-log "$scratch/requests.jsonl" > "$scratch/server.out" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$scratch/server.out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$scratch/server.out")
echo "mock metadata server: $url"

cat > "$scratch/agent.conf" <<CONF
[DEFAULT]
metadata_services = openstack
metadata_base_url = $url/
discovery_timeout = 10
log_file = /var/log/guest-agent.log
CONF

echo "== guest-agent run --root $root"
"$bin/guest-agent" run --config "$scratch/agent.conf" --root "$root" || echo "(exit code $?)"
echo "== guest-agent status"
"$bin/guest-agent" status --config "$scratch/agent.conf" --root "$root"
echo "== files written under $root"
(cd "$root" && find . -newer "$scratch/agent.conf" -type f | sort)
echo "== /etc/hostname: $(cat "$root/etc/hostname" 2>/dev/null)"
echo "== requests served: $(wc -l < "$scratch/requests.jsonl")"
echo "== admin password of cloud-admin, as 'nova get-password' would show it (key: fixtures/keys/demo_rsa):"
curl -s "$url/openstack/latest/password" | "$bin/guest-agent" decrypt-password --key fixtures/keys/demo_rsa -
echo "scratch directory: $scratch"
