# shellcheck shell=bash
# Booting a disk under QEMU for scripts/vm-boot-test.sh: the accelerator, the VM's one NIC
# on QEMU's user network (restricted: the guest reaches nothing but what the rules below
# forward), the two serial ports (ttyS0 the console, ttyS1 the report the image's
# vm-boot-report unit writes), and the host's SSH session into the guest.
#
# The user network is 160.0.0.0/4. QEMU forwards a guest's connections (guestfwd) only to
# addresses inside its user network, and refuses a rule for any other address, so it must
# hold the metadata address 169.254.169.254; and the instance's own address must not be
# link-local (in 169.254.0.0/16 systemd-networkd calls the link "degraded", and
# systemd-networkd-wait-online fails the boot), so it must hold a private range too: the
# smallest network QEMU takes (/4 at most) with both is 160.0.0.0/4, with 172.16.0.0/12 in
# it. QEMU is the gateway (172.16.0.1) and DNS (172.16.0.3) and leases from 172.16.0.50;
# the fixtures' copies get their static address moved into it (fb_vm_fixtures_network:
# 172.16.0.5/24, gateway 172.16.0.1), so a DHCP address and the static one differ, and
# with the static /24 the metadata address is reached through the gateway, as on a cloud.
# Host port FB_VM_SSH_STATIC forwards to 172.16.0.5:22, FB_VM_SSH_DHCP to 172.16.0.50:22,
# both on 127.0.0.1 only. With a mock server, the guest's connections to
# 169.254.169.254:80 go to a relay command (socat) that connects to 127.0.0.1:MOCK_PORT and
# nowhere else; restrict=on drops everything else. Nothing the guest sends leaves QEMU.

FB_VM_MAC=fa:16:3e:12:34:56
FB_VM_NET=160.0.0.0/4
FB_VM_STATIC_ADDRESS=172.16.0.5
FB_VM_GATEWAY=172.16.0.1
FB_VM_DNS=172.16.0.3
FB_VM_DHCP_ADDRESS=172.16.0.50

# Moves the static address of the fixtures' network_data.json (10.0.0.5/24, gateway and
# DNS in 10.0.0.0/24) into the VM's user network: fb_vm_fixtures_network FIXTURES.
fb_vm_fixtures_network() {
    fb_json_edit "$1/openstack/latest/network_data.json" "
n = d['networks'][0]
n['ip_address'] = '$FB_VM_STATIC_ADDRESS'
n['routes'][0]['gateway'] = '$FB_VM_GATEWAY'
n['services'] = [{'type': 'dns', 'address': '$FB_VM_DNS'}]
d['services'] = [{'type': 'dns', 'address': '$FB_VM_DNS'}]"
}

# Sets FB_VM_ACCEL: kvm when a VM really runs under KVM here (the image's kernel, started
# with -cpu host and no root filesystem, reaches its panic within 30 s), else tcg. On some
# machines /dev/kvm opens but -cpu host aborts (MSR 0x10a) and other CPU models hang, so
# opening /dev/kvm is not enough. VM_BOOT_ACCEL=kvm|tcg skips the probe.
fb_vm_accel() {
    local kernel=$1 work=$2
    if [ -n "${VM_BOOT_ACCEL:-}" ]; then
        FB_VM_ACCEL=$VM_BOOT_ACCEL
        return
    fi
    FB_VM_ACCEL=tcg
    [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] || return 0
    # In a subshell that does not exec it (true after it), so that bash's "Aborted" line
    # for QEMU's abort goes to the probe's log, not to the test's output.
    (timeout 30 qemu-system-x86_64 -accel kvm -cpu host -m 256 -nodefaults -display none -no-reboot \
        -serial "file:$work/kvm-probe.log" -kernel "$kernel" -append 'console=ttyS0 panic=-1 root=/dev/null'
        true) \
        >"$work/kvm-probe.err" 2>&1 || true
    if grep -q 'Kernel panic' "$work/kvm-probe.log" 2>/dev/null; then FB_VM_ACCEL=kvm; fi
}

# QEMU's CPU arguments for FB_VM_ACCEL.
fb_vm_cpu_args() {
    case "$FB_VM_ACCEL" in
    kvm) echo "-accel kvm -cpu host" ;;
    *) echo "-accel tcg" ;;
    esac
}

# A free TCP port on 127.0.0.1.
fb_vm_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts a VM: fb_vm_start NAME DIR DISK KERNEL_DIR [ISO] [MOCK_PORT]. The console goes to
# DIR/NAME.console, the report to DIR/NAME.report, QEMU's own messages to DIR/NAME.qemu.
# Sets FB_VM_PID, FB_VM_SSH_STATIC, FB_VM_SSH_DHCP, FB_VM_T0 (ms), FB_VM_NAME and FB_VM_DIR.
fb_vm_start() {
    local name=$1 dir=$2 disk=$3 kernel_dir=$4 iso=${5:-} mock_port=${6:-}
    FB_VM_NAME=$name
    # shellcheck disable=SC2034 # read by scripts/vm-boot-test.sh
    FB_VM_DIR=$dir
    FB_VM_SSH_STATIC=$(fb_vm_free_port)
    FB_VM_SSH_DHCP=$(fb_vm_free_port)
    local netdev="user,id=n0,restrict=on,net=$FB_VM_NET,host=$FB_VM_GATEWAY,dns=$FB_VM_DNS,dhcpstart=$FB_VM_DHCP_ADDRESS"
    netdev+=",hostfwd=tcp:127.0.0.1:$FB_VM_SSH_STATIC-$FB_VM_STATIC_ADDRESS:22"
    netdev+=",hostfwd=tcp:127.0.0.1:$FB_VM_SSH_DHCP-$FB_VM_DHCP_ADDRESS:22"
    if [ -n "$mock_port" ]; then
        netdev+=",guestfwd=tcp:169.254.169.254:80-cmd:socat STDIO TCP:127.0.0.1:$mock_port"
    fi
    local args=(
        -machine q35 -nodefaults -m 1024 -smp 1 -display none -no-reboot
        # What nova's libvirt driver gives every instance: the agent's DMI hint (and its
        # local stage's DHCP lease, local_stage_dhcp = auto) goes by it.
        -smbios "type=1,manufacturer=OpenStack Foundation,product=OpenStack Nova"
        -serial "file:$dir/$name.console" -serial "file:$dir/$name.report"
        -kernel "$kernel_dir/vmlinuz" -initrd "$kernel_dir/initrd.img"
        -append "root=/dev/vda1 ro console=ttyS0 vmboot.hold=${VM_BOOT_HOLD:-300}${mock_port:+ vmboot.probe=$FB_VM_GATEWAY:$mock_port}"
        -drive "file=$disk,format=raw,if=virtio,cache=unsafe"
        -netdev "$netdev" -device "virtio-net-pci,netdev=n0,mac=$FB_VM_MAC,addr=0x3"
        -device virtio-rng-pci
    )
    if [ -n "$iso" ]; then
        args+=(-drive "file=$iso,format=raw,if=none,id=cd,media=cdrom,readonly=on" -device "ide-cd,drive=cd,bus=ide.0")
    fi
    local cpu
    read -r -a cpu <<<"$(fb_vm_cpu_args)"
    FB_VM_T0=$(fb_now_ms)
    qemu-system-x86_64 "${cpu[@]}" "${args[@]}" >"$dir/$name.qemu" 2>&1 &
    FB_VM_PID=$!
    fb_on_exit "kill $FB_VM_PID"
}

# Waits until the report is complete (its END line) or QEMU exits or SECONDS pass:
# fb_vm_wait_report DIR SECONDS. Sets FB_VM_REPORT_MS (from QEMU's start). Fails with the
# console's tail when the report never came.
fb_vm_wait_report() {
    local dir=$1 limit=$2 report=$1/$FB_VM_NAME.report deadline
    deadline=$(($(date +%s) + limit))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        if grep -q '^=== VM-BOOT-REPORT END' "$report" 2>/dev/null; then
            # shellcheck disable=SC2034 # read by scripts/vm-boot-test.sh
            FB_VM_REPORT_MS=$(($(fb_now_ms) - FB_VM_T0))
            return 0
        fi
        kill -0 "$FB_VM_PID" 2>/dev/null || break
        sleep 1
    done
    tail -40 "$dir/$FB_VM_NAME.console" | sed 's/^/  | /' >&2
    cat "$dir/$FB_VM_NAME.qemu" >&2
    fb_fail "$FB_VM_NAME: no complete report on ttyS1 within $limit s (console tail above)"
}

# Waits for QEMU to exit after the guest powered itself off: fb_vm_wait_exit SECONDS.
fb_vm_wait_exit() {
    local limit=$1 deadline
    deadline=$(($(date +%s) + limit))
    while kill -0 "$FB_VM_PID" 2>/dev/null; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            fb_fail "$FB_VM_NAME: the VM did not power off within $limit s"
        fi
        sleep 1
    done
    wait "$FB_VM_PID" 2>/dev/null || true
}

# One section of a report: fb_vm_section REPORT NAME (the lines after "### NAME" up to the
# next section or the end marker).
fb_vm_section() {
    tr -d '\r' <"$1" | awk -v name="$2" '
        /^### / { inside = ($0 == "### " name); next }
        /^=== VM-BOOT-REPORT/ { inside = 0; next }
        inside { print }'
}

# ssh to the guest through host port PORT as USER with KEY, checking its host key against
# KNOWN_HOSTS (no other key accepted, nothing learned): fb_vm_ssh PORT KNOWN_HOSTS KEY USER COMMAND...
fb_vm_ssh() {
    local port=$1 known=$2 key=$3 user=$4
    shift 4
    ssh -q -p "$port" -i "$key" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
        -o UserKnownHostsFile="$known" -o GlobalKnownHostsFile=/dev/null -o PasswordAuthentication=no \
        -o ConnectTimeout=20 -o LogLevel=ERROR "$user@127.0.0.1" "$@"
}
