# shellcheck shell=bash
# The bootable Debian images scripts/vm-boot-test.sh boots under QEMU: debootstrap's
# minbase variant, then a kernel, systemd, udev, OpenSSH, sudo and the release's own network
# stack installed with apt-get in a chroot (cached as a tarball per release in
# /var/cache/guest-agent-tests/vm-boot/: it outlives a CI clone), then the project's .deb installed into a fresh copy, then an ext4
# filesystem made from that directory (mkfs.ext4 -d: no loop device, no mount) and written
# into partition 1 of a larger GPT disk, so the resize plugin has room to grow it.

# Packages of every image: what a Debian cloud image has and the agent uses (growpart and
# resize2fs for resize, ssh-keygen for host keys, useradd, visudo), and zstd so the
# initramfs is compressed as Debian does by default (it unpacks faster under TCG).
FB_VM_PACKAGES=linux-image-amd64,systemd-sysv,udev,dbus,openssh-server,sudo,iproute2,passwd,e2fsprogs,cloud-guest-utils,fdisk,zstd,kmod

# The release's packages on top: libcurl (renamed by the 64-bit time_t transition in 13) and
# the network stack Debian's cloud images use: ifupdown with a DHCP client on 12, netplan
# over systemd-networkd on 13.
fb_vm_release_packages() {
    case "$1" in
    bookworm) echo "$FB_VM_PACKAGES,libcurl4,ifupdown,isc-dhcp-client" ;;
    trixie) echo "$FB_VM_PACKAGES,libcurl4t64,netplan.io" ;;
    *) fb_fail "no package list for release '$1'" ;;
    esac
}

# The Debian version number of a suite, for messages.
fb_vm_release_number() {
    case "$1" in
    bookworm) echo 12 ;;
    trixie) echo 13 ;;
    *) echo "?" ;;
    esac
}

# Bumped whenever the way the cached tarball is made changes, so that it is rebuilt.
FB_VM_RECIPE=1

# Mounts /proc, /sys and /dev in ROOT for apt-get and dpkg in a chroot; fb_vm_chroot_unmount
# undoes it (also registered for exit, in case a step fails in between).
fb_vm_chroot_mount() {
    local root=$1
    mount -t proc proc "$root/proc"
    mount -t sysfs sysfs "$root/sys"
    mount --bind /dev "$root/dev"
    mount --bind /dev/pts "$root/dev/pts"
    fb_on_exit "fb_vm_chroot_unmount $root"
}
fb_vm_chroot_unmount() {
    local root=$1 dir
    for dir in dev/pts dev sys proc; do
        if mountpoint -q "$root/$dir"; then umount "$root/$dir" || umount -l "$root/$dir"; fi
    done
}

# A command in the chroot with a clean environment.
fb_vm_chroot() {
    local root=$1
    shift
    chroot "$root" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"
}

# What makes the root an image rather than a chroot, done on each fresh copy: how it mounts its
# root, a host name that is not the instance's, the release's default network (DHCP on
# every Ethernet NIC, as an image built without an agent would have), an empty machine id
# (each clone gets its own, as in Debian's cloud images). The image keeps the SSH host
# keys openssh-server's postinst made: the agent must replace them.
fb_vm_image_configure() {
    local root=$1 suite=$2
    printf '/dev/vda1 / ext4 errors=remount-ro 0 1\n' >"$root/etc/fstab"
    echo debian-image >"$root/etc/hostname"
    printf '127.0.0.1\tlocalhost\n127.0.1.1\tdebian-image\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
    case "$suite" in
    bookworm)
        # ifupdown has no wildcard for "every NIC": the image names the one NIC QEMU gives
        # it (q35, root bus slot 3: predictable name enp0s3), as Debian's images did
        # before cloud-init wrote the file.
        cat >"$root/etc/network/interfaces" <<'ENI'
# The image's network: loopback, and DHCP on the first NIC.
source /etc/network/interfaces.d/*

auto lo
iface lo inet loopback

allow-hotplug enp0s3
iface enp0s3 inet dhcp
ENI
        ;;
    trixie)
        mkdir -p "$root/etc/netplan"
        cat >"$root/etc/netplan/90-image-default.yaml" <<'NETPLAN'
# The image's network: DHCP on every Ethernet NIC.
network:
  version: 2
  ethernets:
    all-ethernet:
      match:
        name: "en*"
      dhcp4: true
NETPLAN
        chmod 600 "$root/etc/netplan/90-image-default.yaml"
        ;;
    esac
    : >"$root/etc/machine-id"
    rm -f "$root/var/lib/dbus/machine-id"
}

# Sets FB_VM_TARBALL to the cached tarball for SUITE, building it first when missing: debootstrap
# minbase from this machine's mirror (fb_mirror), then the packages with apt-get in the
# chroot. The name carries the suite, the packages and the
# recipe, so changing any of them builds a new one. (Not run in $(...): its cleanups must
# reach the caller's exit trap.)
fb_vm_rootfs_tarball() {
    local cache=$1 suite=$2 packages key
    packages=$(fb_vm_release_packages "$suite")
    key=$(printf '%s %s %s' "$suite" "$packages" "$FB_VM_RECIPE" | sha256sum | cut -c1-12)
    local tarball="$cache/debian-$suite-vm-$key.tar"
    # shellcheck disable=SC2034 # read by scripts/vm-boot-test.sh
    FB_VM_TARBALL=$tarball
    [ -s "$tarball" ] && return
    mkdir -p "$cache"
    local build mirror
    build=$(mktemp -d "$cache/debootstrap-$suite-XXXXXX")
    fb_on_exit "rm -rf --one-file-system $build"
    mirror=$(fb_mirror)
    echo "  debootstrap --variant=minbase $suite ($mirror), then apt-get install ${packages//,/ }"
    if ! debootstrap --variant=minbase "$suite" "$build/root" "$mirror" >"$build/debootstrap.log" 2>&1; then
        tail -20 "$build/debootstrap.log" >&2
        fb_fail "debootstrap $suite failed (log above)"
    fi
    fb_vm_chroot_mount "$build/root"
    # shellcheck disable=SC2046 # one argument per package
    if ! fb_vm_chroot "$build/root" apt-get install -y --no-install-recommends $(tr ',' ' ' <<<"$packages") \
        >"$build/apt.log" 2>&1; then
        tail -30 "$build/apt.log" >&2
        fb_fail "apt-get install in the $suite chroot failed (log above)"
    fi
    fb_vm_chroot "$build/root" apt-get clean
    fb_vm_chroot_unmount "$build/root"
    # The image's apt lists and downloaded packages are not needed to boot.
    rm -rf "$build/root/var/cache/apt/archives/"*.deb "$build/root/var/lib/apt/lists/"*
    tar -C "$build/root" --numeric-owner --xattrs --xattrs-include='*' -cf "$tarball.part" .
    mv "$tarball.part" "$tarball"
    rm -rf --one-file-system "$build"
}

# Unpacks a fresh copy of the cached root into DIR (a directory on disk: mkfs.ext4 reads
# it) and makes it an image (fb_vm_image_configure): fb_vm_root_unpack TARBALL DIR SUITE.
fb_vm_root_unpack() {
    local tarball=$1 dir=$2 suite=$3
    mkdir -p "$dir"
    tar -C "$dir" --numeric-owner --xattrs --xattrs-include='*' -xf "$tarball"
    fb_vm_image_configure "$dir" "$suite"
}

# The test's own unit, in the image only: Tests/FirstBoot/vm-guest/vm-boot-report writes
# the boot's results to ttyS1 and powers the VM off; enabled as systemctl enable would.
fb_vm_install_report_unit() {
    local root=$1
    install -m 0755 "$FB_DIR/vm-guest/vm-boot-report" "$root/usr/local/sbin/vm-boot-report"
    install -m 0644 "$FB_DIR/vm-guest/vm-boot-report.service" "$root/etc/systemd/system/vm-boot-report.service"
    ln -sf /etc/systemd/system/vm-boot-report.service "$root/etc/systemd/system/multi-user.target.wants/vm-boot-report.service"
}

# Copies the image's own kernel and initramfs out of ROOT/boot to DIR (vmlinuz, initrd.img)
# for QEMU's direct kernel boot.
fb_vm_kernel() {
    local root=$1 dir=$2 kernel initrd
    kernel=$(find "$root/boot" -maxdepth 1 -name 'vmlinuz-*' | sort -V | tail -n1)
    initrd=$(find "$root/boot" -maxdepth 1 -name 'initrd.img-*' | sort -V | tail -n1)
    if [ -z "$kernel" ] || [ -z "$initrd" ]; then fb_fail "no kernel or initramfs in $root/boot"; fi
    cp "$kernel" "$dir/vmlinuz"
    cp "$initrd" "$dir/initrd.img"
    fb_ok "kernel $(basename "$kernel"), $(basename "$initrd") ($(du -h "$dir/initrd.img" | cut -f1))"
}

# The disk: fb_vm_disk ROOT DISK. An ext4 filesystem made from ROOT (mkfs.ext4 -d: owners,
# modes, links and device nodes as they are in ROOT), about a third larger than its
# contents, written into partition 1 of a GPT disk 1 GiB larger than the partition; the
# rest of the disk is free, for the resize plugin. Sets FB_VM_PART_SECTORS (partition 1's
# size, 512-byte sectors), FB_VM_FS_BYTES (the filesystem's size) and FB_VM_DISK_SECTORS.
FB_VM_PART_START=2048
fb_vm_disk() {
    local root=$1 disk=$2 used_mb fs_mb
    used_mb=$(du -sm --one-file-system "$root" | cut -f1)
    fs_mb=$(((used_mb * 4 / 3 + 256 + 63) / 64 * 64))
    mkfs.ext4 -q -F -L root -d "$root" "$disk.root" "${fs_mb}M" >/dev/null || fb_fail "mkfs.ext4 -d $root"
    # shellcheck disable=SC2034 # read by scripts/vm-boot-test.sh
    FB_VM_FS_BYTES=$((fs_mb * 1024 * 1024))
    FB_VM_PART_SECTORS=$((fs_mb * 2048))
    FB_VM_DISK_SECTORS=$((FB_VM_PART_START + FB_VM_PART_SECTORS + 1024 * 2048 + 2048))
    rm -f "$disk"
    truncate -s $((FB_VM_DISK_SECTORS * 512)) "$disk"
    printf 'label: gpt\nstart=%d, size=%d, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=root\n' \
        "$FB_VM_PART_START" "$FB_VM_PART_SECTORS" | sfdisk -q "$disk" >/dev/null || fb_fail "sfdisk $disk"
    dd if="$disk.root" of="$disk" bs=1M seek=$((FB_VM_PART_START / 2048)) conv=notrunc,sparse status=none ||
        fb_fail "dd the filesystem into partition 1"
    rm -f "$disk.root"
    fb_ok "disk $(basename "$disk"): $((FB_VM_DISK_SECTORS / 2048)) MiB, partition 1 ${fs_mb} MiB (ext4 of $used_mb MiB), $((FB_VM_DISK_SECTORS / 2048 - fs_mb - 1)) MiB free after it"
}

# A file of the root filesystem in partition 1 of DISK, read without mounting (debugfs).
fb_vm_disk_cat() {
    local disk=$1 path=$2
    debugfs -R "cat $path" "$disk?offset=$((FB_VM_PART_START * 512))" 2>/dev/null
}
