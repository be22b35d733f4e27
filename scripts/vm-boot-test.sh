#!/usr/bin/env bash
# A real first boot under QEMU, as root (CI runs it after scripts/first-boot-test.sh):
#
# 1. builds the .deb (packaging/build-deb.sh; GUEST_AGENT_BINARY=PATH packages a release
#    binary already built, GUEST_AGENT_DEB=PATH uses a .deb already built) and the mock
#    metadata server (debug build; MOCK_METADATA_SERVER=PATH uses one already built);
# 2. for Debian 13 (trixie) and Debian 12 (bookworm) (VM_BOOT_RELEASES="bookworm" for one):
#    a bootable image with debootstrap (minbase, then linux-image-amd64, systemd-sysv, udev,
#    openssh-server, sudo and the release's network stack: netplan over systemd-networkd on
#    13, ifupdown on 12; cached as a tarball in
#    /var/cache/guest-agent-tests/vm-boot/, VM_BOOT_CACHE=DIR for another place), the .deb installed with
#    dpkg -i in a chroot, an ext4 filesystem made from the directory (mkfs.ext4 -d) in
#    partition 1 of a GPT disk 1 GiB larger than it;
# 3. boots it with qemu-system-x86_64 (KVM when it works here, TCG otherwise; the image's
#    own kernel and initramfs, direct kernel boot), console on ttyS0, the test's report
#    unit on ttyS1, one NIC with the fixtures' MAC on QEMU's restricted user network, in two
#    scenarios:
#    - "drive": a config drive ISO (genisoimage, label config-2, with admin_pass) and no
#      network source;
#    - "metadata": the mock metadata server on 127.0.0.1, reached from the guest at
#      169.254.169.254:80 through a guestfwd relay that connects only to it;
#    and checks what systemd did with the agent's units, the host name, the grown
#    partition and filesystem, the network brought up by the image's own stack, SSH into
#    the guest with the instance's key against the host keys the agent wrote (and printed
#    on the console), sudo with the instance's password, user data, and (after power-off,
#    read from the disk with debugfs) the password in /etc/shadow;
# 4. boots each disk a second time: no per-instance work.
#
# Each VM powers itself off once `guest-agent status --wait` said done and the host's SSH
# checks are over. Everything it starts or writes (QEMU, the mock server, the scratch
# directory) is removed on exit, failed or not. Without root, or without
# qemu-system-x86_64, it prints why it is skipped and exits 0. The pieces are in
# Tests/FirstBoot/vm-*.sh and Tests/FirstBoot/vm-guest/.
set -euo pipefail
FB_REPO=$(cd "$(dirname "$0")/.." && pwd)
FB_DIR=$FB_REPO/Tests/FirstBoot
cd "$FB_REPO"

if [ "$(id -u)" != 0 ]; then
    echo "VM boot test skipped: it needs root (debootstrap, chroot, mkfs.ext4 -d of a root-owned tree); CI runs it as root"
    exit 0
fi
if ! command -v qemu-system-x86_64 >/dev/null; then
    echo "VM boot test skipped: qemu-system-x86_64 is missing (scripts/setup.sh installs qemu-system-x86)"
    exit 0
fi
for tool in debootstrap dpkg-deb chroot mkfs.ext4 debugfs sfdisk genisoimage openssl ssh ssh-keygen socat curl python3; do
    command -v "$tool" >/dev/null || {
        echo "VM boot test: '$tool' is missing: run scripts/setup.sh" >&2
        exit 1
    }
done

# shellcheck source=Tests/FirstBoot/lib.sh
source "$FB_DIR/lib.sh"
# shellcheck source=Tests/FirstBoot/rootfs.sh
source "$FB_DIR/rootfs.sh"
# shellcheck source=Tests/FirstBoot/boot.sh
source "$FB_DIR/boot.sh"
# shellcheck source=Tests/FirstBoot/checks.sh
source "$FB_DIR/checks.sh"
# shellcheck source=Tests/FirstBoot/fixtures.sh
source "$FB_DIR/fixtures.sh"
# shellcheck source=Tests/FirstBoot/vm-image.sh
source "$FB_DIR/vm-image.sh"
# shellcheck source=Tests/FirstBoot/vm-qemu.sh
source "$FB_DIR/vm-qemu.sh"
# shellcheck source=Tests/FirstBoot/vm-checks.sh
source "$FB_DIR/vm-checks.sh"

T0=$(fb_now_ms)
work=$(mktemp -d /var/tmp/guest-agent-vm-boot-XXXXXX)
if [ "${VM_BOOT_KEEP:-0}" = 1 ]; then
    fb_on_exit "echo '== VM_BOOT_KEEP=1: $work kept' >&2"
else
    fb_on_exit "rm -rf --one-file-system $work"
fi
trap 'fb_vm_exit $?' EXIT
trap 'exit 130' INT TERM
fb_say "scratch directory $work (removed at exit)"
user=cloud-admin
key=$work/demo_rsa
install -m 0600 "$FB_REPO/fixtures/keys/demo_rsa" "$key"
releases=${VM_BOOT_RELEASES:-trixie bookworm}
scenarios=${VM_BOOT_SCENARIOS:-drive metadata}
# TCG boots take 70-100 s on 2 cores; the first boot of a slow machine more.
report_limit=${VM_BOOT_REPORT_LIMIT:-900}

fb_phase_start "package (build-deb.sh)"
if [ -n "${GUEST_AGENT_DEB:-}" ]; then
    deb=$GUEST_AGENT_DEB
else
    deb=$(packaging/build-deb.sh --output "$work/dist" | tail -n1)
fi
[ -f "$deb" ] || fb_fail "no package at '$deb'"
fb_ok "$(basename "$deb")"
# The package's own binary, for `guest-agent decrypt-password` on the host.
mkdir -p "$work/pkg"
dpkg-deb -x "$deb" "$work/pkg"
agent=$work/pkg/usr/bin/guest-agent
fb_phase_end

fb_phase_start "mock metadata server (debug build)"
if [ -n "${MOCK_METADATA_SERVER:-}" ]; then
    mock=$MOCK_METADATA_SERVER
else
    swift build --product mock-metadata-server >"$work/mock-build.log" 2>&1 || {
        cat "$work/mock-build.log" >&2
        fb_fail "swift build --product mock-metadata-server"
    }
    mock=$(swift build --show-bin-path)/mock-metadata-server
fi
[ -x "$mock" ] || fb_fail "no mock metadata server at '$mock'"
fb_phase_end

# At exit: after a failure, what the VM of the moment reported and the end of its console
# (CI keeps nothing else), then the cleanups.
fb_vm_exit() {
    local rc=$1
    if [ "$rc" != 0 ] && [ -n "${FB_VM_DIR:-}" ] && [ -n "${FB_VM_NAME:-}" ]; then
        local report=$FB_VM_DIR/$FB_VM_NAME.report
        if [ -s "$report" ]; then
            printf '== %s: what the guest reported\n' "$FB_VM_NAME" >&2
            fb_vm_show "$report" status journal failed-units ip-addr ip-route network-files networkctl >&2
        fi
        printf '== %s: the end of its console\n' "$FB_VM_NAME" >&2
        tail -n 30 "$FB_VM_DIR/$FB_VM_NAME.console" 2>/dev/null | tr -d '\r' | sed 's/^/  | /' >&2
    fi
    fb_cleanup
}

# Starts the mock server on 127.0.0.1 (port 0: the kernel picks): fb_vm_mock_start FIXTURES
# REQUEST_LOG. Sets MOCK_PID and MOCK_PORT.
fb_vm_mock_start() {
    local fixtures=$1 log=$2 out=$2.out _
    "$mock" --fixtures "$fixtures" --bind 127.0.0.1 --port 0 --request-log "$log" >"$out" 2>&1 &
    MOCK_PID=$!
    fb_on_exit "kill $MOCK_PID"
    for _ in $(seq 100); do
        grep -q '^listening on' "$out" && break
        kill -0 "$MOCK_PID" 2>/dev/null || break
        sleep 0.1
    done
    MOCK_PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$out")
    [ -n "$MOCK_PORT" ] || {
        cat "$out" >&2
        fb_fail "mock metadata server did not start on 127.0.0.1"
    }
}

# The checks of a first boot: fb_vm_check_first_boot DIR NAME SCENARIO SUITE.
fb_vm_check_first_boot() {
    local dir=$1 name=$2 scenario=$3 suite=$4
    local report=$dir/$name.report console=$dir/$name.console
    fb_vm_check_units "$report"

    fb_check "live host name is demo-instance (uname -n)" \
        test "$(fb_vm_section "$report" hostname | sed -n 1p)" = demo-instance
    fb_check "/etc/hostname is demo-instance" test "$(fb_vm_section "$report" hostname | sed -n 2p)" = demo-instance

    local part_sectors part_start disk_sectors fs_blocks fs_block_size root_bytes
    part_sectors=$(fb_vm_disk_value "$report" part-sectors)
    part_start=$(fb_vm_disk_value "$report" part-start)
    disk_sectors=$(fb_vm_disk_value "$report" disk-sectors)
    fs_blocks=$(fb_vm_disk_value "$report" fs-blocks)
    fs_block_size=$(fb_vm_disk_value "$report" fs-block-size)
    root_bytes=$(fb_vm_disk_value "$report" root-bytes)
    printf '  disk %d MiB; partition 1 %d -> %d MiB; ext4 %d -> %d MiB (mounted: %d MiB usable)\n' \
        $((disk_sectors / 2048)) $((FB_VM_PART_SECTORS / 2048)) $((part_sectors / 2048)) \
        $((FB_VM_FS_BYTES / 1048576)) $((fs_blocks * fs_block_size / 1048576)) $((root_bytes / 1048576))
    fb_check "/ is mounted from /dev/vda1" test "$(fb_vm_disk_value "$report" root-source)" = /dev/vda1
    fb_check "partition 1 grew to the end of the disk (GPT backup header and alignment aside)" \
        test "$part_sectors" -gt "$FB_VM_PART_SECTORS" -a $((part_start + part_sectors)) -ge $((disk_sectors - 2048 - 34))
    fb_check "the mounted ext4 filesystem grew with it (online resize2fs)" \
        test $((fs_blocks * fs_block_size)) -gt $((FB_VM_FS_BYTES + 900 * 1048576)) -a "$root_bytes" -gt "$FB_VM_FS_BYTES"
    FB_VM_B1_PART_SECTORS=$part_sectors

    # The network: the local stage wrote the files before network-pre.target (from the
    # config drive, or from nova read over a short-lived DHCP lease of its own), so the
    # image's stack brought the static address up in this very boot, in both scenarios.
    fb_vm_check_static_network "$report"
    fb_vm_check_rendered_files "$report" "$suite"

    fb_check "user $user exists and is in sudo ($(fb_vm_section "$report" user | sed -n 1p))" \
        grep -qF '(sudo)' <<<"$(fb_vm_section "$report" user | sed -n 1p)"
    fb_check "user data script ran: marker names instance $instance" \
        test "$(fb_vm_section "$report" userdata | awk '{ print $2 }')" = "$instance"
    FB_VM_B1_MARKER=$(fb_vm_section "$report" userdata)

    local fingerprints console_fingerprints
    fingerprints=$(fb_vm_report_fingerprints "$report")
    printf '  host keys in the booted image:\n'
    printf '    %s\n' "${fingerprints//$'\n'/$'\n    '}"
    fb_check "two host keys (ed25519, ecdsa: the default types)" test "$(wc -l <<<"$fingerprints")" = 2
    fb_check "every host key differs from the image's" fb_no_common_line "$image_fingerprints" "$fingerprints"
    console_fingerprints=$(fb_vm_console_fingerprints "$console")
    fb_check "the console shows these fingerprints between the agent's markers" \
        test "$(awk '{ print $2 }' <<<"$fingerprints" | sort)" = "$console_fingerprints"
    FB_VM_B1_FINGERPRINTS=$fingerprints
    fb_check "ssh.service started after the agent wrote the keys (keys older than sshd)" \
        fb_vm_keys_before_sshd "$report"
}

# The checks every boot shares: the agent's units ran under systemd, in order.
fb_vm_check_units() {
    local report=$1
    fb_check "guest-agent status --wait: done (exit 0)" test "$(fb_vm_section "$report" status-wait)" = "exit 0"
    fb_check "guest-agent-local.service ran under systemd and succeeded" \
        fb_vm_unit_succeeded "$report" guest-agent-local.service
    fb_check "guest-agent.service ran under systemd and succeeded" \
        fb_vm_unit_succeeded "$report" guest-agent.service
    fb_check "the local stage ended before network-pre.target was reached" \
        fb_vm_before "$report" guest-agent-local.service ExecMainExitTimestampMonotonic network-pre.target ActiveEnterTimestampMonotonic
    fb_check "the network stage started after network-online.target" \
        fb_vm_before "$report" network-online.target ActiveEnterTimestampMonotonic guest-agent.service ExecMainStartTimestampMonotonic
    fb_check "the network stage started after the local stage ended" \
        fb_vm_before "$report" guest-agent-local.service ExecMainExitTimestampMonotonic guest-agent.service ExecMainStartTimestampMonotonic
    fb_check "sshd started after the network stage ended" \
        fb_vm_before "$report" guest-agent.service ExecMainExitTimestampMonotonic ssh.service ExecMainStartTimestampMonotonic
    local failed
    failed=$(fb_vm_section "$report" failed-units)
    if [ -n "$failed" ]; then
        printf '  failed units:\n    %s\n' "${failed//$'\n'/$'\n    '}"
    fi
    fb_check "the system is running, no unit failed (systemctl is-system-running: $(fb_vm_section "$report" system-running))" \
        test "$(fb_vm_section "$report" system-running)" = running
}

# True when every host private key's mtime is before sshd's start (whole seconds).
fb_vm_keys_before_sshd() {
    local report=$1 since newest
    since=$(fb_vm_section "$report" host-key-mtimes | awk '$1 == "sshd-since" { print $2 }')
    newest=$(fb_vm_section "$report" host-key-mtimes | awk '$1 != "sshd-since" { print $2 }' | sort -n | tail -n1)
    [ -n "$since" ] && [ -n "$newest" ] && [ "$newest" -le "$since" ]
}

# The static address of network_data.json is on the NIC, put there by the image's stack,
# and the image's own DHCP configuration for it is off.
fb_vm_check_static_network() {
    local report=$1 addresses nic
    addresses=$(fb_vm_nic_addresses "$report" "$FB_VM_MAC")
    nic=$(fb_vm_nic_name "$report" "$FB_VM_MAC")
    printf '  %s (%s): %s; default route via %s\n' "$nic" "$FB_VM_MAC" "$(tr '\n' ' ' <<<"$addresses")" \
        "$(fb_vm_default_gateway "$report")"
    fb_check "ip -j addr: $FB_VM_STATIC_ADDRESS/24 on $nic, static (not a DHCP lease)" \
        grep -qx "$FB_VM_STATIC_ADDRESS/24" <<<"$addresses"
    fb_check "no DHCP address on $nic (the image's own configuration for it is disabled)" \
        test "$(grep -c dynamic <<<"$addresses")" = 0
    fb_check "default route via $FB_VM_GATEWAY (network_data.json's route)" test "$(fb_vm_default_gateway "$report")" = "$FB_VM_GATEWAY"
}

# The renderer's files, as the image's stack reads them.
fb_vm_check_rendered_files() {
    local report=$1 suite=$2 files
    files=$(fb_vm_section "$report" network-files)
    case "$suite" in
    bookworm)
        fb_check "ifupdown file /etc/network/interfaces.d/50-guest-agent written" \
            grep -q -- '^--- /etc/network/interfaces.d/50-guest-agent' <<<"$files"
        ;;
    trixie)
        fb_check "netplan file /etc/netplan/50-guest-agent.yaml written" \
            grep -q -- '^--- /etc/netplan/50-guest-agent.yaml' <<<"$files"
        ;;
    esac
}

# The host's SSH session: login with the instance's key against KNOWN_HOSTS only, sudo with
# the instance's password, then the release that lets the VM power off:
# fb_vm_ssh_checks PORT KNOWN_HOSTS PASSWORD LABEL.
fb_vm_ssh_checks() {
    local port=$1 known=$2 password=$3 label=$4 who
    # shellcheck disable=SC2016 # expanded by the guest's shell
    who=$(fb_vm_ssh "$port" "$known" "$key" "$user" 'echo "$(id -un) $(uname -n)"') ||
        fb_fail "ssh $user@ ($label) with fixtures/keys/demo_rsa and the new host keys only"
    fb_check "ssh $user@guest ($label, host key checked against the new keys): '$who'" \
        test "$who" = "$user demo-instance"
    fb_check "sudo with the instance's password works (sudo -S id -u: 0)" \
        test "$(printf '%s\n' "$password" | fb_vm_ssh "$port" "$known" "$key" "$user" 'sudo -S -p "" id -u' 2>/dev/null)" = 0
    printf '%s\n' "$password" | fb_vm_ssh "$port" "$known" "$key" "$user" \
        'sudo -S -p "" sh -c "mkdir -p /run/vm-boot-test && touch /run/vm-boot-test/release"' >/dev/null 2>&1 ||
        fb_fail "could not release the VM over ssh"
}

# One scenario of one release: fb_vm_scenario SUITE SCENARIO.
fb_vm_scenario() {
    local suite=$1 scenario=$2
    local dir=$work/$suite-$scenario
    mkdir -p "$dir"
    local disk=$dir/disk.raw iso="" mock_port="" password="" fixtures=$dir/fixtures
    cp --sparse=always "$base_disk" "$disk"
    fb_fixtures_copy "$fixtures"
    fb_vm_fixtures_network "$fixtures"
    instance=$(fb_fixture_value "$fixtures" uuid)
    [ "$(fb_fixture_mac "$fixtures")" = "$FB_VM_MAC" ] || fb_fail "the fixtures' MAC is not $FB_VM_MAC"
    if [ "$scenario" = drive ]; then
        password=$(fb_random_password)
        fb_config_drive_iso "$fixtures" "$dir/drive" "$dir/config-2.iso" "$password"
        iso=$dir/config-2.iso
    else
        fb_vm_mock_start "$fixtures" "$dir/requests.jsonl"
        mock_port=$MOCK_PORT
    fi

    local label
    label="Debian $(fb_vm_release_number "$suite") ($suite), $scenario"
    fb_phase_start "$label: first boot"
    fb_vm_start boot1 "$dir" "$disk" "$kernel_dir" "$iso" "$mock_port"
    fb_ok "qemu-system-x86_64 ($FB_VM_ACCEL) started; console $dir/boot1.console"
    fb_vm_wait_report "$dir" "$report_limit"
    printf '  report on ttyS1 after %d ms\n' "$FB_VM_REPORT_MS"
    fb_vm_section "$dir/boot1.report" status | sed 's/^/  | /'
    fb_vm_check_first_boot "$dir" boot1 "$scenario" "$suite"
    if [ "$scenario" = metadata ]; then
        local encrypted
        encrypted=$(curl -sf "http://127.0.0.1:$mock_port/openstack/latest/password") ||
            fb_fail "the mock holds no password: none was posted"
        password=$(fb_decrypt_password "$FB_REPO/fixtures/keys/demo_rsa" "$encrypted") ||
            fb_fail "openssl could not decrypt the posted password"
        fb_ok "posted password decrypted by openssl with fixtures/keys/demo_rsa (${#password} characters)"
        fb_check "the package's guest-agent decrypt-password gives the same password" \
            test "$(printf '%s' "$encrypted" | "$agent" decrypt-password --key "$key" -)" = "$password"
        fb_check "one password POST" test "$(fb_count_posts "$dir/requests.jsonl")" = 1
        fb_check "restrict=on: the guest cannot reach the host's 127.0.0.1:$mock_port through the gateway ($(fb_vm_section "$dir/boot1.report" restricted))" \
            test "$(fb_vm_section "$dir/boot1.report" restricted)" = "$FB_VM_GATEWAY:$mock_port unreachable"
    fi
    local known=$dir/known_hosts
    fb_vm_known_hosts "$dir/boot1.report" "$known"
    fb_vm_ssh_checks "$FB_VM_SSH_STATIC" "$known" "$password" "$FB_VM_STATIC_ADDRESS"
    fb_vm_wait_exit 120
    fb_ok "the VM powered itself off"
    local hash
    hash=$(fb_vm_shadow_hash "$disk" "$user")
    fb_check "the disk's /etc/shadow holds crypt() of the $([ "$scenario" = drive ] && echo "drive's admin_pass" || echo "posted password") (debugfs after power-off)" \
        fb_vm_hash_matches "$hash" "$password"
    fb_check "injected file /etc/guest-agent-demo/motd on the disk" \
        cmp -s <(fb_vm_disk_cat "$disk" /etc/guest-agent-demo/motd) "$FB_REPO/fixtures/default/openstack/content/0000"
    printf '  boot to report: %d ms\n' "$FB_VM_REPORT_MS"
    fb_phase_end

    fb_phase_start "$label: second boot (same instance)"
    fb_vm_start boot2 "$dir" "$disk" "$kernel_dir" "$iso" "$mock_port"
    fb_vm_known_hosts "$dir/boot1.report" "$known"
    fb_vm_wait_report "$dir" "$report_limit"
    local report=$dir/boot2.report
    fb_vm_section "$report" status | sed 's/^/  | /'
    fb_vm_check_units "$report"
    local statuses
    statuses=$(fb_vm_plugin_statuses "$report")
    # Only the per-instance plugins: resize, userdata and platform_password run at every boot.
    fb_check "no per-instance plugin did work (hostname users password ssh_keys network files host_keys: already-done)" \
        test "$(awk '$1 ~ /^(hostname|users|password|ssh_keys|network|files|host_keys)$/ && $2 == "already-done"' <<<"$statuses" | wc -l)" = 7
    fb_check "resize found nothing to grow (skipped)" grep -qx 'resize skipped' <<<"$statuses"
    fb_check "partition 1 unchanged since the first boot" \
        test "$(fb_vm_disk_value "$report" part-sectors)" = "$FB_VM_B1_PART_SECTORS"
    fb_check "user data script did not run again (marker and its mtime unchanged)" \
        test "$(fb_vm_section "$report" userdata)" = "$FB_VM_B1_MARKER"
    fb_check "host keys unchanged" test "$(fb_vm_report_fingerprints "$report")" = "$FB_VM_B1_FINGERPRINTS"
    fb_check "host name still demo-instance" test "$(fb_vm_section "$report" hostname | sed -n 1p)" = demo-instance
    fb_vm_check_static_network "$report"
    fb_vm_ssh_checks "$FB_VM_SSH_STATIC" "$known" "$password" "$FB_VM_STATIC_ADDRESS"
    fb_vm_wait_exit 120
    fb_ok "the VM powered itself off"
    fb_check "/etc/shadow unchanged (same hash)" test "$(fb_vm_shadow_hash "$disk" "$user")" = "$hash"
    if [ "$scenario" = metadata ]; then
        fb_check "still one password POST" test "$(fb_count_posts "$dir/requests.jsonl")" = 1
        kill "$MOCK_PID" 2>/dev/null || true
        wait "$MOCK_PID" 2>/dev/null || true
    fi
    printf '  boot to report: %d ms\n' "$FB_VM_REPORT_MS"
    fb_phase_end
    # The scenario's disk is no longer needed: free the space for the next one.
    rm -f "$disk"
}

for suite in $releases; do
    fb_phase_start "Debian $(fb_vm_release_number "$suite") ($suite): image (debootstrap, or the cached tarball)"
    fb_vm_rootfs_tarball "${VM_BOOT_CACHE:-/var/cache/guest-agent-tests/vm-boot}" "$suite"
    fb_ok "$FB_VM_TARBALL ($(du -h "$FB_VM_TARBALL" | cut -f1))"
    root=$work/$suite-root
    fb_vm_root_unpack "$FB_VM_TARBALL" "$root" "$suite"
    fb_root_install_deb "$root" "$deb"
    fb_vm_install_report_unit "$root"
    image_fingerprints=$(fb_host_key_fingerprints "$root")
    printf '  image host keys:\n'
    printf '    %s\n' "${image_fingerprints//$'\n'/$'\n    '}"
    kernel_dir=$work/$suite-kernel
    mkdir -p "$kernel_dir"
    fb_vm_kernel "$root" "$kernel_dir"
    base_disk=$work/$suite-base.raw
    fb_vm_disk "$root" "$base_disk"
    rm -rf --one-file-system "$root"
    if [ -z "${FB_VM_ACCEL:-}" ]; then
        fb_vm_accel "$kernel_dir/vmlinuz" "$work"
        fb_ok "accelerator: $FB_VM_ACCEL"
    fi
    fb_phase_end
    for scenario in $scenarios; do
        fb_vm_scenario "$suite" "$scenario"
    done
    rm -f "$base_disk"
done

fb_print_timings
fb_say "VM boot test passed in $((($(fb_now_ms) - T0) / 1000)) s"
