#!/usr/bin/env bash
# Builds the Debian package: guest-agent_VERSION_ARCH.deb, with dpkg-deb, from the static
# release build. The one command (from the repository):
#
#   packaging/build-deb.sh                       # builds the release binary, then the .deb
#   packaging/build-deb.sh --binary PATH         # packages an existing release build
#   GUEST_AGENT_BINARY=PATH packaging/build-deb.sh   # the same, for scripts
#   packaging/build-deb.sh --output DIR          # where the .deb goes (default dist/)
#
# It prints the .deb's path on the last line of standard output. Needs dpkg-dev
# (dpkg-shlibdeps), and for the build itself swift and libcurl4-openssl-dev (its headers); for the man
# page, the generate-manual tool of swift-argument-parser (built here, in debug, from the
# package's own dependency: no network). lintian runs on the result when installed.
#
# Contents: /usr/bin/guest-agent (stripped), both systemd units in /lib/systemd/system,
# /etc/guest-agent/agent.conf (a conffile: `guest-agent sample-config` with every key
# commented out, so the defaults built into the binary apply until an administrator
# uncomments a line), the man page guest-agent.1 (from the command-line definitions),
# /usr/share/doc/guest-agent/{copyright,changelog.Debian.gz,README.md}, and the
# maintainer scripts in packaging/deb/ (enable the units without starting them; disable on
# removal; purge removes /etc/guest-agent and /var/lib/guest-agent).
#
# The version comes from one place: `guest-agent version` of the binary being packaged
# (AgentVersion in Sources/Plugins/Runtime/AgentVersion.swift), plus the Debian
# revision DEB_REVISION (default 1).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

PKG_NAME=build-deb
# shellcheck source=packaging/lib.sh
source packaging/lib.sh
pkg_arguments 25 "$@"
say() { pkg_say "$@"; }

# 1. The release binary, Swift runtime linked in.
binary=$(pkg_binary "$binary")
upstream_version=$(pkg_upstream_version "$binary")
version=$upstream_version-${DEB_REVISION:-1}
arch=$(dpkg --print-architecture)
# Timestamps from the last commit, so two builds of one commit give the same package.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
maintainer=${DEB_MAINTAINER:-$(git log -1 --format='%an <%ae>' 2>/dev/null || echo "guest-agent maintainers <root@localhost>")}

work=$(mktemp -d /tmp/guest-agent-deb-XXXXXX)
trap 'rm -rf "$work"' EXIT
stage=$work/guest-agent_${version}_$arch
umask 022
mkdir -p "$stage/DEBIAN" "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/etc/guest-agent" \
    "$stage/usr/share/man/man1" "$stage/usr/share/doc/guest-agent" "$stage/usr/share/lintian/overrides"

# 2. The binary, stripped as dh_strip strips it. The shipped binary must link neither
# FoundationNetworking nor ICU's data (issue 12) and must run on the glibc floor (issue 26):
# enforced by check-static-binary.sh. If ICU comes back, bench/why-icu.sh names the corelibs
# Foundation call that brought it.
pkg_install_binary "$binary" "$stage/usr/bin/guest-agent"

# 3. Units, the conffile, docs.
install -m 0644 packaging/guest-agent-local.service packaging/guest-agent.service "$stage/lib/systemd/system/"
pkg_conffile "$binary" "$stage/etc/guest-agent/agent.conf"
install -m 0644 packaging/deb/copyright "$stage/usr/share/doc/guest-agent/copyright"
install -m 0644 README.md "$stage/usr/share/doc/guest-agent/README.md"
install -m 0644 packaging/deb/lintian-overrides "$stage/usr/share/lintian/overrides/guest-agent"
date_rfc2822=$(date -u -R -d "@$SOURCE_DATE_EPOCH")
{
    echo "guest-agent ($version) unstable; urgency=medium"
    echo
    echo "  * Package of guest-agent $upstream_version, built from commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)."
    echo
    echo " -- $maintainer  $date_rfc2822"
} | gzip -9n >"$stage/usr/share/doc/guest-agent/changelog.Debian.gz"

# 4. The man page, from the ArgumentParser definitions.
pkg_man_page "$binary" "$stage/usr/share/man/man1/guest-agent.1.gz"

# 5. Depends: what the binary links (dpkg-shlibdeps maps each NEEDED library to its
# package and minimum version), plus passwd (useradd, chpasswd). Recommends: the tools
# the optional plugins run from the image (host_keys: ssh-keygen; users: visudo;
# resize: growpart, sfdisk, resize2fs), and libcurl4, which the agent loads with dlopen
# only to fetch an https:// user-data include (it is not NEEDED, so shlibdeps misses it). Suggests: the other filesystems' and network
# stacks' tools the plugins use when the image has them.
mkdir -p "$work/shlibs/debian"
printf 'Source: guest-agent\n\nPackage: guest-agent\nArchitecture: any\n' >"$work/shlibs/debian/control"
shlibs=$(cd "$work/shlibs" && dpkg-shlibdeps -O -e"$stage/usr/bin/guest-agent" 2>"$work/shlibdeps.err") || {
    cat "$work/shlibdeps.err" >&2
    exit 70
}
shlib_depends=${shlibs#shlibs:Depends=}
# The binary needs no glibc symbol newer than GLIBC_FLOOR and no DT_RELR
# (check-static-binary.sh, above); the dependency says so, whatever shlibdeps derived from
# the build machine's symbol files.
floor=$(scripts/check-static-binary.sh --print-glibc-floor)
shlib_depends=$(sed -E "s/libc6 \(>= [0-9.]+\)/libc6 (>= $floor)/" <<<"$shlib_depends")
say "linked: $shlib_depends"

install -m 0755 packaging/deb/postinst packaging/deb/prerm packaging/deb/postrm "$stage/DEBIAN/"
echo /etc/guest-agent/agent.conf >"$stage/DEBIAN/conffiles"
(cd "$stage" && find . -type f ! -path './DEBIAN/*' -printf '%P\n' | LC_ALL=C sort | xargs md5sum) \
    >"$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/md5sums"
installed_size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<CONTROL
Package: guest-agent
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $shlib_depends, passwd
Recommends: openssh-client, sudo, cloud-guest-utils, fdisk, e2fsprogs, libcurl4
Suggests: openssh-server, xfsprogs, btrfs-progs, lvm2, ifupdown | netplan.io | network-manager
Section: admin
Priority: optional
Description: first-boot initialization agent for cloud VM images
 guest-agent turns a generic VM image into one instance at its first boot,
 as cloud-init and cloudbase-init do: it reads the instance's metadata from
 an OpenStack config drive, the nova metadata service or the EC2 instance
 metadata service, then sets the host name, the network configuration, the
 admin user with its SSH keys and an encrypted random password, fresh SSH
 host keys and injected files, and grows the root filesystem.
 .
 Two systemd units run it at every boot, before the network and after it;
 work already done for an instance is not repeated.
CONTROL

# 6. The package. Files owned by root whatever user builds it.
mkdir -p "$output"
deb=$output/guest-agent_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >&2

# lintian: errors and warnings fail the build; the intended tags are overridden, each
# with its reason, in packaging/deb/lintian-overrides. LINTIAN=0 skips it.
if [ "${LINTIAN:-1}" != 0 ] && command -v lintian >/dev/null; then
    say "lintian $deb"
    lintian --fail-on error,warning --display-info "$deb" 2>&1 | grep -v 'running with root privileges' >&2 || true
    lintian --fail-on error,warning "$deb" >/dev/null 2>&1 || {
        echo "build-deb.sh: lintian reported errors or warnings (above)" >&2
        exit 70
    }
fi
echo "$deb"
