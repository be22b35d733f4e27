# shellcheck shell=bash
# The Debian 12 root filesystem the first boot runs in: debootstrap's minbase variant
# plus what a cloud image has and the agent uses, built once and cached as a tarball
# (gitignored .cache/first-boot/), then unpacked fresh for every scenario.

FB_SUITE=bookworm
FB_INCLUDE=openssh-server,sudo,iproute2,libcurl4,passwd

# The Debian mirror this machine's apt uses (deb822 .sources or one-line .list), so the
# test reaches no other host; deb.debian.org when none is configured.
fb_mirror() {
    local mirror
    mirror=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources |
        awk '{ print $2 }' | grep -v -- '-security' | grep -m1 '/debian/*$' || true)
    if [ -z "$mirror" ]; then
        mirror=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
            awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' |
            grep -v -- '-security' | grep -m1 '/debian/*$' || true)
    fi
    echo "${mirror:-http://deb.debian.org/debian}"
}

# Prints the cached tarball's path, building it first when missing. The name carries the
# suite and the package list, so changing either builds a new one.
fb_rootfs_tarball() {
    local cache=$1
    local key
    key=$(printf '%s %s' "$FB_SUITE" "$FB_INCLUDE" | sha256sum | cut -c1-12)
    local tarball="$cache/debian-$FB_SUITE-minbase-$key.tar"
    if [ -s "$tarball" ]; then
        echo "$tarball"
        return
    fi
    mkdir -p "$cache"
    local build
    build=$(mktemp -d "$cache/debootstrap-XXXXXX")
    local mirror
    mirror=$(fb_mirror)
    echo "  debootstrap --variant=minbase --include=$FB_INCLUDE $FB_SUITE ($mirror)" >&2
    if ! debootstrap --variant=minbase --include="$FB_INCLUDE" "$FB_SUITE" "$build/root" "$mirror" \
        >"$build/debootstrap.log" 2>&1; then
        tail -20 "$build/debootstrap.log" >&2
        rm -rf "$build"
        fb_fail "debootstrap failed (log above)"
    fi
    # The image's apt lists and caches are not needed to boot.
    rm -rf "$build/root/var/cache/apt/archives/"*.deb "$build/root/var/lib/apt/lists/"*
    tar -C "$build/root" -cf "$tarball.part" .
    mv "$tarball.part" "$tarball"
    rm -rf "$build"
    echo "$tarball"
}

# Unpacks a fresh copy of the root filesystem into DIR (a tmpfs mounted by the caller).
fb_rootfs_unpack() {
    local tarball=$1 dir=$2
    tar -C "$dir" -xf "$tarball"
}
