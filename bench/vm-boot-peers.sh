#!/usr/bin/env bash
# Time to ready, side by side (issue 26 item 3): the same Debian image (scripts/vm-boot-test.sh's,
# Debian 12 by default, BENCH_RELEASE=trixie for 13) once with the agent's .deb and once with
# Debian's own cloud-init instead, the same config drive or nova metadata (the mock), booted
# the same way (QEMU, TCG here, nova's SMBIOS strings, restricted user network). For each
# boot it prints:
#   ssh      ms from QEMU's start until `ssh` with the instance's key runs a command (polled);
#   startup  `systemd-analyze`'s "Startup finished ... = TOTAL";
#   units    the initialization units' own time from `systemd-analyze blame` (the agent's two,
#            or cloud-init's four), summed.
# BENCH_RUNS=N boots each case N times (default 1) and prints each run and the medians.
# Root only, like the VM boot test; it downloads cloud-init from the apt mirror into the
# cloud-init image. Nothing of this machine is changed.
set -euo pipefail
FB_REPO=$(cd "$(dirname "$0")/.." && pwd)
FB_DIR=$FB_REPO/Tests/FirstBoot
cd "$FB_REPO"
if [ "$(id -u)" != 0 ]; then
    echo "vm-boot-peers: needs root (debootstrap, chroot, mkfs.ext4 -d of a root-owned tree)" >&2
    exit 1
fi

# shellcheck source=Tests/FirstBoot/lib.sh
source "$FB_DIR/lib.sh"
# shellcheck source=Tests/FirstBoot/rootfs.sh
source "$FB_DIR/rootfs.sh"
# shellcheck source=Tests/FirstBoot/boot.sh
source "$FB_DIR/boot.sh"
# shellcheck source=Tests/FirstBoot/fixtures.sh
source "$FB_DIR/fixtures.sh"
# shellcheck source=Tests/FirstBoot/vm-image.sh
source "$FB_DIR/vm-image.sh"
# shellcheck source=Tests/FirstBoot/vm-qemu.sh
source "$FB_DIR/vm-qemu.sh"

suite=${BENCH_RELEASE:-bookworm}
runs=${BENCH_RUNS:-1}
work=$(mktemp -d /var/tmp/guest-agent-vm-peers-XXXXXX)
[ "${BENCH_KEEP:-0}" = 1 ] || fb_on_exit "rm -rf --one-file-system $work"
trap 'fb_cleanup' EXIT
trap 'exit 130' INT TERM
user=cloud-admin
key=$work/demo_rsa
install -m 0600 "$FB_REPO/fixtures/keys/demo_rsa" "$key"

deb=${GUEST_AGENT_DEB:-}
[ -n "$deb" ] || deb=$(packaging/build-deb.sh --output "$work/dist" | tail -n1)
mock=${MOCK_METADATA_SERVER:-}
if [ -z "$mock" ]; then
    swift build --product mock-metadata-server >"$work/mock-build.log" 2>&1 || fb_fail "swift build --product mock-metadata-server"
    mock=$(swift build --show-bin-path)/mock-metadata-server
fi

# cloud-init's configuration in its image: the sources of this benchmark, in the order the
# agent tries them, and the agent's admin user name as the default user (sudo, the
# instance's keys), so that the same ssh check logs in to both.
cloud_init_config() {
    cat <<'CFG'
datasource_list: [ConfigDrive, OpenStack, None]
system_info:
  default_user:
    name: cloud-admin
    lock_passwd: true
    groups: [sudo]
    sudo: ["ALL=(ALL) NOPASSWD:ALL"]
    shell: /bin/bash
CFG
}

# The two images' disks and the kernel: fb_peers_images. Sets AGENT_DISK, CLOUD_INIT_DISK, KERNEL_DIR.
fb_peers_images() {
    fb_vm_rootfs_tarball "${VM_BOOT_CACHE:-/var/cache/guest-agent-tests/vm-boot}" "$suite"
    local root=$work/agent-root
    fb_vm_root_unpack "$FB_VM_TARBALL" "$root" "$suite"
    fb_root_install_deb "$root" "$deb"
    fb_vm_install_report_unit "$root"
    KERNEL_DIR=$work/kernel
    mkdir -p "$KERNEL_DIR"
    fb_vm_kernel "$root" "$KERNEL_DIR"
    AGENT_DISK=$work/agent.raw
    fb_vm_disk "$root" "$AGENT_DISK"
    rm -rf --one-file-system "$root"

    root=$work/cloud-init-root
    fb_vm_root_unpack "$FB_VM_TARBALL" "$root" "$suite"
    fb_vm_chroot_mount "$root"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    if ! { fb_vm_chroot "$root" apt-get update && fb_vm_chroot "$root" apt-get install -y --no-install-recommends cloud-init; } \
        >"$work/cloud-init-apt.log" 2>&1; then
        tail -30 "$work/cloud-init-apt.log" >&2
        fb_fail "apt-get install cloud-init in the $suite chroot failed (log above)"
    fi
    fb_vm_chroot "$root" apt-get clean
    fb_vm_chroot_unmount "$root"
    rm -rf "$root/var/lib/apt/lists/"*
    # shellcheck disable=SC2016 # dpkg-query's own format, not the shell's
    fb_ok "cloud-init $(fb_vm_chroot "$root" dpkg-query -W -f '${Version}' cloud-init) installed"
    cloud_init_config >"$root/etc/cloud/cloud.cfg.d/90-vm-boot-peers.cfg"
    # The report waits for the end of the boot (`systemctl is-system-running --wait`), which
    # includes cloud-init's last unit (ordering it after cloud-final, itself after
    # multi-user.target, would be a cycle).
    fb_vm_install_report_unit "$root"
    CLOUD_INIT_DISK=$work/cloud-init.raw
    fb_vm_disk "$root" "$CLOUD_INIT_DISK"
    rm -rf --one-file-system "$root"
}

# ms from FB_VM_T0 until ssh runs `true` on either forwarded address (static or DHCP), or
# "-" after LIMIT seconds.
fb_peers_ssh_ms() {
    local limit=$1 start port
    start=$(fb_now_ms)
    while [ $(($(fb_now_ms) - start)) -lt $((limit * 1000)) ]; do
        for port in "$FB_VM_SSH_STATIC" "$FB_VM_SSH_DHCP"; do
            if timeout 10 ssh -q -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
                -o ConnectTimeout=3 -i "$key" -p "$port" "$user@127.0.0.1" true 2>/dev/null; then
                echo $(($(fb_now_ms) - FB_VM_T0))
                return
            fi
        done
        sleep 1
    done
    echo -
}

# One boot: fb_peers_boot FLAVOUR SCENARIO RUN. Appends "flavour scenario ssh startup units" to RESULTS.
fb_peers_boot() {
    local flavour=$1 scenario=$2 run=$3
    local dir=$work/$flavour-$scenario-$run disk iso="" mock_port="" fixtures mock_pid=""
    mkdir -p "$dir"
    disk=$dir/disk.raw
    if [ "$flavour" = agent ]; then cp --sparse=always "$AGENT_DISK" "$disk"; else cp --sparse=always "$CLOUD_INIT_DISK" "$disk"; fi
    fixtures=$dir/fixtures
    fb_fixtures_copy "$fixtures"
    fb_vm_fixtures_network "$fixtures"
    if [ "$scenario" = drive ]; then
        fb_config_drive_iso "$fixtures" "$dir/drive" "$dir/config-2.iso" "$(fb_random_password)"
        iso=$dir/config-2.iso
    else
        "$mock" --fixtures "$fixtures" --bind 127.0.0.1 --port 0 >"$dir/mock.out" 2>&1 &
        mock_pid=$!
        fb_on_exit "kill $mock_pid"
        for _ in $(seq 100); do grep -q '^listening on' "$dir/mock.out" && break; sleep 0.1; done
        mock_port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$dir/mock.out")
        [ -n "$mock_port" ] || fb_fail "mock metadata server did not start"
    fi
    fb_vm_start boot "$dir" "$disk" "$KERNEL_DIR" "$iso" "$mock_port"
    local ssh_ms startup units
    ssh_ms=$(fb_peers_ssh_ms "${BENCH_SSH_LIMIT:-600}")
    fb_vm_wait_report "$dir" 900
    # "Startup finished in 9.5s (kernel) + 44.3s (userspace) = 53.8s " (a trailing blank).
    startup=$(fb_vm_section "$dir/boot.report" systemd-analyze | sed -n 's/^Startup finished in .* = \(.*s\) *$/\1/p' | head -n1)
    units=$(fb_vm_section "$dir/boot.report" blame | awk -v flavour="$flavour" '
        function ms(t,   v) { v = 0
            if (t ~ /min$/) return t * 60000
            if (t ~ /ms$/) return t + 0
            if (t ~ /s$/) return t * 1000
            return 0 }
        function total(   t, i) { t = 0; for (i = 1; i < NF; i++) t += ms($i); return t }
        flavour == "agent" && $NF ~ /^guest-agent(-local)?\.service$/ { sum += total(); n++ }
        flavour != "agent" && $NF ~ /^cloud-(init-local|init|config|final)\.service$/ { sum += total(); n++ }
        END { printf "%d ms (%d units)", sum, n }')
    kill "$FB_VM_PID" 2>/dev/null || true
    wait "$FB_VM_PID" 2>/dev/null || true
    if [ -n "${mock_pid:-}" ]; then kill "$mock_pid" 2>/dev/null || true; fi
    printf '  %-10s %-8s run %d: ssh %s ms; startup %s; units %s\n' "$flavour" "$scenario" "$run" "$ssh_ms" "${startup:--}" "$units"
    RESULTS+=("$flavour $scenario $ssh_ms ${units%% ms*}")
    rm -f "$disk"
}

fb_phase_start "images: Debian $(fb_vm_release_number "$suite") with the agent, and with cloud-init"
fb_peers_images
if [ -z "${FB_VM_ACCEL:-}" ]; then fb_vm_accel "$KERNEL_DIR/vmlinuz" "$work"; fi
fb_phase_end

RESULTS=()
for scenario in drive metadata; do
    fb_phase_start "$scenario: agent and cloud-init, $runs boot(s) each"
    for run in $(seq "$runs"); do
        for flavour in agent cloud-init; do fb_peers_boot "$flavour" "$scenario" "$run"; done
    done
    fb_phase_end
done

# median COLUMN FLAVOUR SCENARIO: the median of column 3 (ssh) or 4 (units) of RESULTS.
median() {
    printf '%s\n' "${RESULTS[@]}" | awk -v c="$1" -v f="$2" -v s="$3" '$1 == f && $2 == s && $c != "-" { print $c }' |
        sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'
}
echo "== medians (ssh: ms from QEMU's start until ssh with the instance's key works; units: their own ms)"
for scenario in drive metadata; do
    for flavour in agent cloud-init; do
        printf '  %-10s %-8s ssh %s; units %s\n' "$flavour" "$scenario" "$(median 3 "$flavour" "$scenario")" \
            "$(median 4 "$flavour" "$scenario")"
    done
    printf '  %s: the agent'"'"'s units take %s of cloud-init'"'"'s time\n' "$scenario" \
        "$(awk -v a="$(median 4 agent "$scenario")" -v c="$(median 4 cloud-init "$scenario")" \
            'BEGIN { if (c > 0) printf "%.2f", a / c; else print "-" }')"
done
