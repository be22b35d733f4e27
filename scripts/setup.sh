#!/usr/bin/env bash
# Installs the Debian packages the build, the demo and the tests use. Needs root (or sudo).
set -euo pipefail
packages=(
  libcurl4-openssl-dev   # libcurl's headers for CCurl (the agent loads libcurl itself only for https), and libcurl4
  openssl openssh-client # interop: openssl decrypts posted passwords; ssh-keygen makes keys (and host keys)
  genisoimage dosfstools mtools  # real config drives (ISO 9660 as nova builds it, vfat)
  cloud-image-utils  # cloud-localds: real NoCloud seeds (vfat and ISO)
  passwd libcrypt-dev    # useradd / chpasswd --root into scratch roots; crypt(3) for shadow hashes
  sudo                   # visudo -c for the sudoers drop-in
  iproute2 util-linux mount  # network namespaces, unshare and partx; losetup (in mount)
  python3 python3-yaml curl time  # python3-yaml: PyYAML, the reference the YAML parser tests compare with; demo, bench, mock-server and user data tests (curl as a real client, /usr/bin/time for RSS; python3 scripts)
  binutils               # scripts/check-static-binary.sh (readelf, nm, strings, strip); bench/peers.sh installs python3-venv itself
  systemd                # systemd-analyze verify of the shipped unit (systemd does not run)
  netplan.io network-manager dbus  # network plugin: netplan generate --root-dir, nmcli --offline; NetworkManager and systemd-networkd bring our files up in namespaces (NetworkManager on a private D-Bus)
  ifupdown ifenslave vlan bridge-utils iputils-ping  # network plugin: ifup -i inside namespaces (bond, VLAN, bridge), ping between them
  cloud-guest-utils fdisk  # resize plugin tests: growpart, and sfdisk (fdisk) for the growpart-less path
  e2fsprogs xfsprogs btrfs-progs lvm2  # resize tests: mkfs/resize2fs/dumpe2fs, mkfs.xfs/xfs_growfs/xfs_info, btrfs, pvresize/lvextend
  zlib1g-dev             # gzip user data (the agent links libz)
  ca-certificates        # cloud-config ca_certs: the real update-ca-certificates, run in a chroot scratch root
  bash coreutils tzdata  # user data tests: bash scripts, chroot into a scratch root, cloud-config timezone
  dpkg-dev binutils lintian  # packaging/build-deb.sh: dpkg-shlibdeps for Depends, strip/readelf, lintian on the .deb
  debootstrap            # scripts/first-boot-test.sh: the Debian 12 root filesystem it boots; scripts/vm-boot-test.sh: the Debian 12 and 13 images
  qemu-system-x86 socat  # scripts/vm-boot-test.sh: boots the images (TCG or KVM); socat relays 169.254.169.254:80 in the guest to the mock server on 127.0.0.1
  shellcheck             # scripts/shellcheck.sh (run by scripts/test.sh) on every shell script
  dnsmasq-base           # the local stage's DHCP lease test: a real DHCP server in a network namespace (the binary only: no service is installed or started)
  rpm rpmlint            # packaging/build-rpm.sh: rpmbuild, rpm -qlp and rpmlint on the .rpm (CI)
  python3-requests python3-configobj  # network differential harness: what cloud-init 22.4.2's modules import on the way to its renderers (its package is unpacked, never installed)
  python3-yaml python3-jsonschema python3-jsonpatch  # cloud-config schema differential: cloud-init 22.4.2's validator and its modules' examples
)
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${packages[@]}"
# sshd -t loads the host keys the agent makes in-process (HostKeyPairInteropTests): the server
# is unpacked from Debian's package, never installed, so no daemon runs on this machine.
sshd_cache=/var/cache/guest-agent-tests
if [ ! -x "$sshd_cache/openssh-server/usr/sbin/sshd" ]; then
  $SUDO mkdir -p "$sshd_cache"
  (cd "$sshd_cache" && $SUDO apt-get download openssh-server && $SUDO dpkg -x openssh-server_*.deb openssh-server)
fi
# chronyd -p checks the chrony sources cloud-config ntp writes (CloudConfigNTPTests): chrony is
# unpacked the same way, never installed, so no time daemon runs on (or steers the clock of) this machine.
if [ ! -x "$sshd_cache/chrony/usr/sbin/chronyd" ]; then
  (cd "$sshd_cache" && $SUDO apt-get download chrony && $SUDO dpkg -x chrony_*.deb chrony)
fi
# The network differential harness (Tests/NetworkDifferential): cloud-init's Debian package,
# downloaded and unpacked (dpkg -x) into /var/cache/guest-agent-tests, never installed.
$SUDO /usr/bin/python3 "$(dirname "$0")/../Tests/NetworkDifferential/harness.py" prepare
