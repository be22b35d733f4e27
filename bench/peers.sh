#!/usr/bin/env bash
# Side-by-side benchmark (issue 12): the metadata read of cloud-init and cloudbase-init, and a
# whole `guest-agent run`, against the bundled mock metadata server, with 0 and 50 ms of
# latency added to every request. Prints one Markdown table, then the static-binary figures.
#
# Usage: bench/peers.sh [runs]        (default 5 runs per row; run it as root: useradd --root)
#        SKIP_BUILD=1 bench/peers.sh   (use the release binaries already in .build/release)
#        AGENT_BIN=PATH MOCK_BIN=PATH bench/peers.sh   (release binaries built elsewhere, e.g.
#        scripts/release-build.sh --scratch-path .build-release; nothing is built then)
#
# What is measured, per row (median of the runs for times, the largest peak RSS):
# - cloud-init (Debian 12's package, extracted with `dpkg -x`, its Python dependencies in a
#   virtualenv): its DataSourceOpenStack / DataSourceEc2 `get_data()`, built with a Paths and
#   a Debian distro object as its init stage builds them, `metadata_urls` pointing at the mock
#   (bench/peers/cloudinit_read.py; only the DMI probe is stubbed).
# - cloudbase-init (PyPI, in a virtualenv): HttpService / EC2Service `load()` and the getters
#   its plugins call, `metadata_base_url` pointing at the mock (bench/peers/cloudbase_read.py).
# - guest-agent: a whole `run` (every plugin of the default list: network, hostname, resize,
#   host_keys, users, password, ssh_keys, files) of the stripped static release build, into a
#   fresh scratch root each time (a first boot). `userdata` (a default plugin) is left out: it runs
#   scripts through chroot, which a scratch root without a shell cannot do.
# Each process is timed by bench/peers/measure.py (monotonic clock, wait4 rusage): wall, CPU
# (user + system, children included) and peak RSS. Requests are counted in the mock's request
# log (a mean: on OpenStack the first run also POSTs the password, later ones find it set).
# The peers' figures include starting Python and importing their modules, as their
# agents do at every boot; ours include starting the binary.
#
# "own" (ours only): wall time minus the time spent in the external tools the run executes.
# The scratch root's /usr/sbin and /usr/bin hold a small C stand-in for each of those tools
# (the agent runs the target root's tools, never the PATH's: see ToolLocator), built from
# bench/peers/timed-tool.c: it runs the real tool and logs the monotonic time around it;
# the durations are summed. The stand-in's own exec and the agent's fork/exec of it fall
# outside those windows, so they are counted as ours: "own" errs high, never low.
# (strace -f would give the same split but slows every process it traces several times.)
#
# Fixtures: OpenStack rows serve fixtures/default (one NIC, one key, one injected file); EC2
# rows serve fixtures/ec2-two-nics (two ENIs, two keys: issue 12's request-count case).
# Needs: swift, cc, python3-venv, binutils; installs the peers into bench/.peers/ (gitignored).
# Enables nothing on this machine: no package is installed system-wide except python3-venv.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
repo=$(pwd)
peers=$repo/bench/.peers

# --- the peers, into bench/.peers ---------------------------------------------------------
install_peers() {
    mkdir -p "$peers"
    if ! /usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null; then
        apt-get install -y -q python3-venv >/dev/null
    fi
    if [ ! -x "$peers/cloudbase-init/bin/python" ]; then
        echo "installing cloudbase-init from PyPI into $peers/cloudbase-init" >&2
        /usr/bin/python3 -m venv "$peers/cloudbase-init"
        "$peers/cloudbase-init/bin/pip" install -q cloudbase-init >&2
    fi
    if [ ! -d "$peers/cloud-init/root/usr/lib/python3/dist-packages/cloudinit" ]; then
        echo "extracting Debian's cloud-init into $peers/cloud-init/root" >&2
        mkdir -p "$peers/cloud-init/deb"
        (cd "$peers/cloud-init/deb" && apt-get download -q cloud-init >&2 2>/dev/null)
        dpkg -x "$peers/cloud-init/deb"/cloud-init_*.deb "$peers/cloud-init/root"
        # Its Depends that the data sources import, from PyPI (netifaces builds from source).
        /usr/bin/python3 -m venv "$peers/cloud-init/venv"
        "$peers/cloud-init/venv/bin/pip" install -q requests pyyaml jsonpatch jsonschema configobj \
            jinja2 oauthlib netifaces >&2
    fi
}
install_peers
cloudinit_version=$(dpkg-deb -f "$peers"/cloud-init/deb/cloud-init_*.deb Version)
cloudbase_version=$("$peers/cloudbase-init/bin/pip" show cloudbase-init | sed -n 's/^Version: //p')

# --- our binaries ---------------------------------------------------------------------------
# SKIP_BUILD=1 uses the release binaries already built (e.g. while a debug build holds .build).
if [ -n "${AGENT_BIN:-}" ] && [ -n "${MOCK_BIN:-}" ]; then
    :
elif [ "${SKIP_BUILD:-0}" != 1 ]; then
    scripts/release-build.sh >/dev/null
    swift build -c release --product mock-metadata-server >/dev/null
fi
bin=$(swift build -c release --show-bin-path)
agent_bin=${AGENT_BIN:-$bin/guest-agent}
mock_bin=${MOCK_BIN:-$bin/mock-metadata-server}
work=$(mktemp -d /tmp/guest-agent-peers-XXXXXX)
servers=()
declare -A medians
cleanup() {
  local pid
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
strip -o "$work/guest-agent" "$agent_bin"
agent=$work/guest-agent
measure() { python3 bench/peers/measure.py "$work/out" "$work/err" -- "$@"; }

# --- a scratch root template: a first boot of a minimal Debian-like image -------------------
template=$work/root-template
source bench/scratch-root.sh
make_scratch_root "$template"
tool_log=$work/tools.log
for tool in useradd usermod groupadd chpasswd visudo ssh-keygen; do
    real=$(command -v "$tool" || true)
    [ -n "$real" ] || { echo "bench/peers.sh: $tool is missing on this machine" >&2; exit 1; }
    directory=usr/sbin
    [ "$tool" = ssh-keygen ] && directory=usr/bin
    "${CC:-cc}" -O2 -o "$template/$directory/$tool" -DNAME="\"$tool\"" -DREAL="\"$real\"" -DLOG="\"$tool_log\"" \
        bench/peers/timed-tool.c
done

# --- the mock servers -----------------------------------------------------------------------
start_server() { # $1 = fixtures, $2 = latency, $3 = name; sets url_$3, log_$3
    local out=$work/$3.out
    "$mock_bin" --fixtures "$1" --port 0 --latency-ms "$2" \
        --request-log "$work/$3.jsonl" > "$out" &
    servers+=($!)
    for _ in $(seq 100); do grep -q listening "$out" && break; sleep 0.05; done
    printf -v "url_$3" '%s' "$(sed -n 's/^listening on //p' "$out")"
}
requests() { [ -f "$work/$1.jsonl" ] && wc -l < "$work/$1.jsonl" || echo 0; }

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Runs "$@" $runs times against server $name; prints "wall cpu rss requests own".
row() { # $1 = server name, $2 = "agent" for ours (fresh root, tool time), then the command
    local name=$1 kind=$2
    shift 2
    local walls=() cpus=() owns=() tool_times=() rss=0 before after tool_calls=0
    before=$(requests "$name")
    for i in $(seq "$runs"); do
        local args=("$@")
        if [ "$kind" = agent ]; then
            rm -rf "$work/root"
            cp -a "$template" "$work/root"
            : > "$tool_log"
        fi
        read -r wall cpu kib status <<< "$(measure "${args[@]}")"
        if [ "$status" != 0 ]; then
            echo "bench/peers.sh: run $i of '$*' exited $status:" >&2
            tail -5 "$work/err" >&2
            exit 1
        fi
        walls+=("$wall")
        cpus+=("$cpu")
        [ "$kib" -gt "$rss" ] && rss=$kib
        if [ "$kind" = agent ]; then
            local tools
            tools=$(awk '{ t += ($3 - $2) * 1000 } END { printf "%.1f", t }' "$tool_log")
            tool_calls=$(wc -l < "$tool_log")
            owns+=("$(awk -v w="$wall" -v t="$tools" 'BEGIN { printf "%.1f", w - t }')")
            tool_times+=("$tools")
        fi
    done
    after=$(requests "$name")
    local own="-"
    [ "$kind" = agent ] && own="$(printf '%s\n' "${owns[@]}" | median) ms (tools: $(printf '%s\n' \
        "${tool_times[@]}" | median) ms in $tool_calls runs)"
    printf '%s ms|%s ms|%s MiB|%s|%s\n' "$(printf '%s\n' "${walls[@]}" | median)" \
        "$(printf '%s\n' "${cpus[@]}" | median)" "$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')" \
        "$(awk -v n="$(( after - before ))" -v r="$runs" 'BEGIN { printf "%g", int(n / r * 10 + 0.5) / 10 }')" "$own"
}

echo "| agent | what is measured | source | added latency | wall (median of $runs) | CPU (median) | peak RSS | HTTP requests per run | own time (wall minus external tools) |"
echo "|---|---|---|---|---|---|---|---|---|"
# Every default plugin but `userdata` (see the top of this file).
plugins_all="network, hostname, resize, host_keys, users, password, ssh_keys, files"
for latency in 0 50; do
    start_server fixtures/default "$latency" "os$latency"
    start_server fixtures/ec2-two-nics "$latency" "ec2$latency"
    os_url=url_os$latency
    ec2_url=url_ec2$latency
    os_url=${!os_url}
    ec2_url=${!ec2_url}
    for source in openstack ec2; do
        if [ "$source" = openstack ]; then url=$os_url name=os$latency; else url=$ec2_url name=ec2$latency; fi
        cat > "$work/cloudbase-init.conf" <<CONF
[DEFAULT]
retry_count = 2
retry_count_interval = 1
[openstack]
metadata_base_url = $url/
add_metadata_private_ip_route = false
[ec2]
metadata_base_url = $url/
add_metadata_private_ip_route = false
CONF
        # `userdata` is on by default since it became a default plugin; the bench leaves it out
        # (see the top of this file), so the list is spelled out; a second config also leaves out
        # host_keys (the one plugin whose time is mostly ssh-keygen's RSA prime search).
        for variant in agent agent-no-host-keys; do
            plugins=$plugins_all
            [ "$variant" = agent-no-host-keys ] && plugins=${plugins_all/host_keys, /}
            printf '[DEFAULT]\nmetadata_services = %s\nmetadata_base_url = %s/\nec2_metadata_base_url = %s/\n%s\n' \
                "$source" "$url" "$url" "plugins = $plugins" > "$work/$variant.conf"
        done
        mkdir -p "$work/ci-scratch"
        figures=$(row "$name" peer env PYTHONPATH="$peers/cloud-init/root/usr/lib/python3/dist-packages" \
            "$peers/cloud-init/venv/bin/python" bench/peers/cloudinit_read.py "$source" "$url" "$work/ci-scratch")
        class=$([ "$source" = openstack ] && echo DataSourceOpenStack || echo DataSourceEc2)
        echo "| cloud-init $cloudinit_version | $class.get_data() | $source | $latency ms | ${figures//|/ | } |"
        medians["cloud-init $source $latency"]=${figures%% ms|*}
        figures=$(row "$name" peer "$peers/cloudbase-init/bin/python" bench/peers/cloudbase_read.py "$source" \
            "$work/cloudbase-init.conf")
        class=$([ "$source" = openstack ] && echo HttpService || echo EC2Service)
        echo "| cloudbase-init $cloudbase_version | $class.load() + getters | $source | $latency ms | ${figures//|/ | } |"
        medians["cloudbase-init $source $latency"]=${figures%% ms|*}
        figures=$(row "$name" agent "$agent" run --config "$work/agent.conf" --root "$work/root")
        echo "| guest-agent (static, stripped) | whole run, every default plugin | $source | $latency ms | ${figures//|/ | } |"
        medians["agent $source $latency"]=${figures%% ms|*}
        figures=$(row "$name" agent "$agent" run --config "$work/agent-no-host-keys.conf" --root "$work/root")
        echo "| guest-agent (static, stripped) | whole run without host_keys | $source | $latency ms | ${figures//|/ | } |"
        medians["agent-no-host-keys $source $latency"]=${figures%% ms|*}
    done
done

echo
echo "Speed-up of the whole run over each peer's metadata read alone (the peer's median wall / ours):"
for latency in 0 50; do
    for source in openstack ec2; do
        for variant in agent agent-no-host-keys; do
            line="$source, $latency ms, $([ "$variant" = agent ] && echo "with host keys" || echo "without host keys"):"
            for peer in cloud-init cloudbase-init; do
                line+=" $peer $(awk -v p="${medians["$peer $source $latency"]}" -v a="${medians["$variant $source $latency"]}" \
                    'BEGIN { printf "%.1fx", p / a }')"
            done
            echo "- $line"
        done
    done
done
# fsync calls of one whole run (issue 31 item 2), counted by strace -f over the agent's own
# threads: a process that execs (useradd, chpasswd, ssh-keygen) is a tool, and its syncs are
# the tool's. Without strace, nothing is printed.
if command -v strace >/dev/null; then
    echo
    echo "Disk syncs in one whole run (strace -f; the agent's threads only, its tools' left out):"
    for source in openstack ec2; do
        server=$([ "$source" = openstack ] && echo url_os0 || echo url_ec20)
        url=${!server}
        printf '[DEFAULT]\nmetadata_services = %s\nmetadata_base_url = %s/\nec2_metadata_base_url = %s/\n%s\n' \
            "$source" "$url" "$url" "plugins = $plugins_all" > "$work/strace.conf"
        rm -rf "$work/root"
        cp -a "$template" "$work/root"
        strace -f -qq -e trace=execve,fsync,fdatasync,syncfs -o "$work/strace.log" \
            "$agent" run --config "$work/strace.conf" --root "$work/root" >/dev/null 2>&1 || true
        # The first execve is the agent's own; a later one marks a tool's process.
        awk 'NR > 1 && / execve\(/ { tool[$1] = 1 } / (fsync|fdatasync|syncfs)\(/ { calls[$1]++ }
            END { for (pid in calls) if (!(pid in tool)) own += calls[pid]; else tools += calls[pid]
                  printf "%d (tools: %d)", own, tools }' "$work/strace.log" |
            xargs -0 printf -- "- $source, 0 ms, with host keys: %s\n"
    done
fi

echo
echo "guest-agent binary: $(stat -c %s "$agent" | awk '{ printf "%.1f MB", $1 / 1000000 }') stripped;" \
    "\`version\`: $(measure "$agent" version | awk '{ printf "%s ms wall, %.1f MiB peak RSS", $1, $3 / 1024 }')"
echo "needs: $(readelf -d "$agent" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
scripts/check-static-binary.sh "$agent" || true
echo "machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores," \
    "Linux $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
