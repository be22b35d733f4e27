# shellcheck shell=bash
# What a first boot must have done, checked inside the root with the real tools (openssl,
# ssh-keygen, chroot id).

# The admin user's shadow hash equals crypt(PASSWORD) with the hash's own salt.
fb_shadow_matches() {
    local root=$1 user=$2 password=$3 hash salt
    hash=$(awk -F: -v u="$user" '$1 == u { print $2 }' "$root/etc/shadow")
    case "$hash" in
    "\$6\$"*) ;;
    *) echo "  $user's shadow entry is '${hash:0:3}...', not a SHA-512 crypt hash" >&2; return 1 ;;
    esac
    salt=$(echo "$hash" | cut -d'$' -f3)
    [ "$(printf '%s' "$password" | openssl passwd -6 -salt "$salt" -stdin)" = "$hash" ]
}

# Decrypts a posted password (base64 of RSA PKCS#1 v1.5, as nova stores it) with the
# fixtures' private key, by the real openssl.
fb_decrypt_password() {
    local key=$1 encrypted=$2
    printf '%s' "$encrypted" | base64 -d | openssl pkeyutl -decrypt -inkey "$key" -pkeyopt rsa_padding_mode:pkcs1
}

# SHA256 fingerprints of the root's host keys, one "TYPE FINGERPRINT" line each, sorted.
fb_host_key_fingerprints() {
    local root=$1 key
    for key in "$root"/etc/ssh/ssh_host_*_key.pub; do
        [ -e "$key" ] || continue
        ssh-keygen -l -E sha256 -f "$key" | awk '{ print $NF, $2 }'
    done | sort
}

# mode:owner:group of PATH, numeric.
fb_mode() { stat -c '%a:%u:%g' "$1"; }

# Every file under the root's /etc, /home, /root and /var/lib (except the agent's own
# per-run state and logs) with its mtime, size, mode and checksum: two equal snapshots
# mean nothing was rewritten.
fb_snapshot() {
    local root=$1
    (cd "$root" && find etc home root var/lib -xdev -type f \
        ! -path 'var/lib/guest-agent/*' -printf '%p %T@ %s %m ' -exec sha256sum {} \; | awk '{ print $1, $2, $3, $4, $5 }' | sort)
}

# The checks after a boot from the metadata server or a config drive:
# fb_check_instance ROOT HOSTNAME USER PASSWORD CONSOLE [IMAGE_FINGERPRINTS]
fb_check_instance() {
    local root=$1 host=$2 user=$3 password=$4 console=$5 image_fingerprints=${6:-}
    fb_check "live host name is $host (UTS namespace)" test "$FB_LIVE_HOSTNAME" = "$host"
    fb_check "/etc/hostname is $host" test "$(cat "$root/etc/hostname")" = "$host"
    fb_check "/etc/hosts names $host" grep -qw "$host" "$root/etc/hosts"

    local groups
    groups=$(chroot "$root" id -nG "$user" 2>/dev/null) || fb_fail "user $user does not exist in the root"
    fb_ok "user $user exists (groups: $groups)"
    fb_check "$user is in sudo" grep -qw sudo <<<"$groups"
    fb_check "sudoers drop-in for $user passes visudo -c" \
        chroot "$root" visudo -c -q

    local home uid gid keys
    home=$(awk -F: -v u="$user" '$1 == u { print $6 }' "$root/etc/passwd")
    uid=$(awk -F: -v u="$user" '$1 == u { print $3 }' "$root/etc/passwd")
    gid=$(awk -F: -v u="$user" '$1 == u { print $4 }' "$root/etc/passwd")
    keys=$root$home/.ssh/authorized_keys
    fb_check "authorized_keys holds the metadata key" grep -qF "$(cut -d' ' -f2 "$FB_REPO/fixtures/keys/demo_rsa.pub")" "$keys"
    fb_check "$home/.ssh is 0700, owned by $user" test "$(fb_mode "$root$home/.ssh")" = "700:$uid:$gid"
    fb_check "$home/.ssh/authorized_keys is 0600, owned by $user" test "$(fb_mode "$keys")" = "600:$uid:$gid"

    fb_check "the password in /etc/shadow is the published one (openssl passwd -6)" \
        fb_shadow_matches "$root" "$user" "$password"

    fb_check "injected file /etc/guest-agent-demo/motd" \
        cmp -s "$FB_REPO/fixtures/default/openstack/content/0000" "$root/etc/guest-agent-demo/motd"

    local network=$root/etc/network/interfaces.d/50-guest-agent
    fb_check "network configuration written (ifupdown: /etc/network/interfaces.d/50-guest-agent)" test -f "$network"
    fb_check "  for eth0 (the NIC with the fixture's MAC), static" grep -Eq 'iface eth0 inet static' "$network"
    fb_check "  address 10.0.0.5/24" grep -Eq 'address 10\.0\.0\.5(/24)?' "$network"
    fb_check "  gateway 10.0.0.1" grep -Eq 'gateway 10\.0\.0\.1' "$network"

    local fingerprints
    fingerprints=$(fb_host_key_fingerprints "$root")
    printf '  host keys now:\n'
    printf '    %s\n' "${fingerprints//$'\n'/$'\n    '}"
    fb_check "host keys generated (ed25519, ecdsa: the default types)" test "$(wc -l <<<"$fingerprints")" -ge 2
    if [ -n "$image_fingerprints" ]; then
        fb_check "every host key differs from the image's" fb_no_common_line "$image_fingerprints" "$fingerprints"
    fi
    local fingerprint
    while read -r _ fingerprint; do
        grep -qF "$fingerprint" "$console" || fb_fail "host key $fingerprint not printed on the console"
    done <<<"$fingerprints"
    fb_check "fingerprints printed on the console between the markers" \
        grep -q -- '-----BEGIN SSH HOST KEY FINGERPRINTS-----' "$console"
}

# True when the two texts share no line.
fb_no_common_line() {
    [ -z "$(comm -12 <(sort <<<"$1") <(sort <<<"$2"))" ]
}

# User data: the marker the fixtures' script writes (INSTANCE_ID is in its environment).
# `userdata` is in the default plugin list, and the package's agent.conf leaves the list
# at its default.
fb_check_userdata_marker() {
    local root=$1 instance=$2
    fb_check "user data script ran: /var/lib/first-boot-userdata-marker names instance $instance" \
        grep -qx "$instance" "$root/var/lib/first-boot-userdata-marker"
}
