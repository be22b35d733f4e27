#!/usr/bin/env bash
# One boot of the root filesystem, as systemd would run the units, minus systemd: runs as
# PID 1 of fresh UTS, mount and PID namespaces (inside the instance's network namespace),
# gives the root its own /proc, /sys (this network namespace's NICs), /dev and /run, sets
# the host name from the root's /etc/hostname as systemd does at boot, then runs each
# command of COMMANDS chrooted into ROOT with a service's clean environment. A line is
# "LABEL COMMAND...": the units' ExecStart lines (labelled with the unit), in order, then
# what the test asks inside the same boot (labelled "check", e.g. `guest-agent status
# --wait`, which needs this boot's /proc). Afterwards it prints the live host name, so the
# caller can check it before the namespace goes away.
#
# usage: sandbox.sh ROOT COMMANDS REPORT [BLOCK_DEVICE...]
# REPORT gets one line per command: "exit STATUS MILLISECONDS LABEL COMMAND", then
# "live-hostname NAME". Each BLOCK_DEVICE (e.g. /dev/loop3) gets a node in the root's /dev,
# as udev would create it (there is no udev here, so no /dev/disk/by-label either).
set -euo pipefail
root=$1 commands=$2 report=$3
shift 3

mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount -t tmpfs -o mode=0755,nosuid run "$root/run"
mount -t tmpfs -o mode=0755,nosuid dev "$root/dev"
for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
    IFS=: read -r name major minor <<<"$node"
    mknod -m 0666 "$root/dev/$name" c "$major" "$minor"
done
mkdir -m 0755 "$root/dev/pts" "$root/dev/shm"
ln -s /proc/self/fd "$root/dev/fd"
for device in "$@"; do
    numbers=$(stat -L -c '%t %T' "$device")
    read -r major minor <<<"$numbers"
    mknod -m 0660 "$root$device" b "$((16#$major))" "$((16#$minor))"
done

# systemd sets the static host name from /etc/hostname before any unit runs.
if [ -s "$root/etc/hostname" ]; then hostname "$(head -n1 "$root/etc/hostname")"; fi

: >"$report"
while IFS= read -r line; do
    [ -n "$line" ] || continue
    read -r -a argv <<<"$line"
    argv=("${argv[@]:1}")
    start=$(date +%s%3N)
    status=0
    # A service's environment: systemd's default PATH and nothing from this shell.
    env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        chroot "$root" "${argv[@]}" </dev/null || status=$?
    echo "exit $status $(($(date +%s%3N) - start)) $line" >>"$report"
done <"$commands"
echo "live-hostname $(uname -n)" >>"$report"
