# shellcheck shell=bash
# Sourced by bench/peers.sh and bench/text-order.sh (not run on its own).
# make_scratch_root DIR: a first boot of a minimal Debian-like image in DIR: root only in
# passwd, group (plus sudo), shadow and gshadow, this machine's login.defs and skel, and
# the NICs the fixtures' network data names, faked under /sys/class/net by MAC (the
# OpenStack fixture's and both EC2 ENIs). The caller puts the tools in usr/sbin and usr/bin.
make_scratch_root() {
    local root=$1 nic
    mkdir -p "$root"/{etc/ssh,etc/netplan,etc/sudoers.d,root,home,usr/sbin,usr/bin,var/lib}
    printf 'root:x:0:0:root:/root:/bin/bash\n' >"$root/etc/passwd"
    printf 'root:x:0:\nsudo:x:27:\n' >"$root/etc/group"
    printf 'root:*:19000:0:99999:7:::\n' >"$root/etc/shadow"
    printf 'root:*::\nsudo:*::\n' >"$root/etc/gshadow"
    cp /etc/login.defs "$root/etc/"
    cp -r /etc/skel "$root/etc/skel"
    for nic in eth0:fa:16:3e:12:34:56 ens5:0a:1b:2c:3d:4e:5f ens6:0a:1b:2c:3d:4e:60; do
        mkdir -p "$root/sys/class/net/${nic%%:*}"
        echo "${nic#*:}" >"$root/sys/class/net/${nic%%:*}/address"
    done
}
