#!/usr/bin/env bash
# A real first boot of the Debian package, as root (CI runs it after scripts/test.sh):
#
# 1. builds the .deb (packaging/build-deb.sh; GUEST_AGENT_BINARY=PATH packages a release
#    binary already built, GUEST_AGENT_DEB=PATH uses a .deb already built);
# 2. builds a minimal Debian 12 root filesystem with debootstrap (minbase plus
#    openssh-server, sudo, iproute2, libcurl4, passwd), cached as a tarball in .cache/,
#    and installs the .deb into a fresh copy with `dpkg -i` in a chroot;
# 3. serves the fixtures from the mock metadata server at 169.254.169.254:80 in one network
#    namespace and runs the installed units' own ExecStart lines, local stage then
#    network stage, in a second one joined by a veth pair, chrooted into the root with
#    its own UTS, mount and PID namespaces; checks what the boot did inside the root; boots
#    again (nothing rewritten, no second password POST); boots as a new instance (the agent
#    runs again); then removes and purges the package;
# 4. boots a fresh root from a config drive ISO (genisoimage, as nova builds it) on a loop
#    device with nothing at 169.254.169.254: must finish in under 3 s, with the drive's
#    admin_pass as the password.
#
# Everything it creates (namespaces, mounts, loop devices, the scratch directory) is
# removed on exit, failed or not. Without root it prints why it is skipped and exits 0.
# The pieces are in Tests/FirstBoot/.
set -euo pipefail
FB_REPO=$(cd "$(dirname "$0")/.." && pwd)
FB_DIR=$FB_REPO/Tests/FirstBoot
cd "$FB_REPO"

if [ "$(id -u)" != 0 ]; then
    echo "first-boot test skipped: it needs root (debootstrap, chroot, network namespaces, loop devices); CI runs it as root"
    exit 0
fi
for tool in debootstrap dpkg-deb dpkg-shlibdeps ip unshare chroot mknod losetup genisoimage openssl ssh-keygen curl python3; do
    command -v "$tool" >/dev/null || {
        echo "first-boot test: '$tool' is missing: run scripts/setup.sh" >&2
        exit 1
    }
done

# shellcheck source=Tests/FirstBoot/lib.sh
source "$FB_DIR/lib.sh"
# shellcheck source=Tests/FirstBoot/rootfs.sh
source "$FB_DIR/rootfs.sh"
# shellcheck source=Tests/FirstBoot/netns.sh
source "$FB_DIR/netns.sh"
# shellcheck source=Tests/FirstBoot/boot.sh
source "$FB_DIR/boot.sh"
# shellcheck source=Tests/FirstBoot/checks.sh
source "$FB_DIR/checks.sh"
# shellcheck source=Tests/FirstBoot/fixtures.sh
source "$FB_DIR/fixtures.sh"

work=$(mktemp -d /tmp/guest-agent-first-boot-XXXXXX)
fb_on_exit "rm -rf --one-file-system $work"
trap fb_cleanup EXIT
trap 'exit 130' INT TERM
fb_say "scratch directory $work (removed at exit)"
user=cloud-admin
key=$FB_REPO/fixtures/keys/demo_rsa

# 1. The package.
fb_phase_start "package (build-deb.sh)"
if [ -n "${GUEST_AGENT_DEB:-}" ]; then
    deb=$GUEST_AGENT_DEB
else
    deb=$(packaging/build-deb.sh --output "$work/dist" | tail -n1)
fi
[ -f "$deb" ] || fb_fail "no package at '$deb'"
fb_ok "$(basename "$deb")"
fb_phase_end

fb_phase_start "mock metadata server (debug build)"
swift build --product mock-metadata-server >"$work/mock-build.log" 2>&1 || {
    cat "$work/mock-build.log" >&2
    fb_fail "swift build --product mock-metadata-server"
}
mock=$(swift build --show-bin-path)/mock-metadata-server
fb_phase_end

# 2. The root filesystem.
fb_phase_start "root filesystem (debootstrap, or the cached tarball)"
tarball=$(fb_rootfs_tarball "$FB_REPO/.cache/first-boot")
fb_ok "$tarball ($(du -h "$tarball" | cut -f1))"
fb_phase_end

fixtures_a=$work/fixtures-a
fixtures_b=$work/fixtures-b
fb_fixtures_copy "$fixtures_a"
fb_fixtures_new_instance "$fixtures_a" "$fixtures_b" 9d1e2f3a-5b6c-4d7e-8f90-a1b2c3d4e5f6 second-instance
instance_a=$(fb_fixture_value "$fixtures_a" uuid)
instance_b=$(fb_fixture_value "$fixtures_b" uuid)
mac=$(fb_fixture_mac "$fixtures_a")

# 3. First boot from the metadata server.
fb_phase_start "install into a fresh root (dpkg -i in a chroot)"
root=$work/root-metadata
fb_root_prepare "$tarball" "$root"
fb_root_install_deb "$root" "$deb"
image_fingerprints=$(fb_host_key_fingerprints "$root")
printf '  image host keys:\n'
printf '    %s\n' "${image_fingerprints//$'\n'/$'\n    '}"
fb_phase_end

fb_phase_start "first boot: metadata server at 169.254.169.254"
fb_netns_create "$$a" "$mac" with-metadata
fb_mock_start "$mock" "$fixtures_a" "$work/requests-a.jsonl"
fb_boot "$root" "$work" boot1
encrypted=$(fb_mock_password) || fb_fail "the mock holds no password: none was posted"
password=$(fb_decrypt_password "$key" "$encrypted") || fb_fail "openssl could not decrypt the posted password"
fb_ok "posted password decrypted with fixtures/keys/demo_rsa (${#password} characters)"
fb_check_instance "$root" demo-instance "$user" "$password" "$work/boot1.console" "$image_fingerprints"
fb_check_userdata_marker "$root" "$instance_a"
fb_check "per-instance state saved for $instance_a" test -f "$root/var/lib/guest-agent/instances/$instance_a.json"
fb_check "one password POST" test "$(fb_count_posts "$work/requests-a.jsonl")" = 1
boot1_fingerprints=$(fb_host_key_fingerprints "$root")
fb_phase_end

fb_phase_start "second boot: same instance"
before=$(fb_snapshot "$root")
fb_boot "$root" "$work" boot2
after=$(fb_snapshot "$root")
if [ "$before" != "$after" ]; then
    diff <(echo "$before") <(echo "$after") | sed 's/^/    /' >&2
    fb_fail "the second boot rewrote files (diff of path, mtime, size, mode, sha256 above)"
fi
fb_ok "nothing under /etc, /home, /root, /var/lib rewritten ($(wc -l <<<"$after") files compared by mtime and sha256)"
fb_check "still one password POST" test "$(fb_count_posts "$work/requests-a.jsonl")" = 1
fb_check "the live host name is still demo-instance" test "$FB_LIVE_HOSTNAME" = demo-instance
fb_phase_end

fb_phase_start "third boot: new instance id"
fb_mock_stop
fb_mock_start "$mock" "$fixtures_b" "$work/requests-b.jsonl"
fb_boot "$root" "$work" boot3
encrypted=$(fb_mock_password) || fb_fail "the new instance's password was not posted"
password=$(fb_decrypt_password "$key" "$encrypted") || fb_fail "openssl could not decrypt the new password"
fb_check_instance "$root" second-instance "$user" "$password" "$work/boot3.console" "$boot1_fingerprints"
fb_check_userdata_marker "$root" "$instance_b"
fb_check "per-instance state saved for $instance_b" test -f "$root/var/lib/guest-agent/instances/$instance_b.json"
fb_check "one password POST for the new instance" test "$(fb_count_posts "$work/requests-b.jsonl")" = 1
fb_mock_stop
fb_phase_end

fb_phase_start "remove and purge the package"
chroot "$root" dpkg -r guest-agent >/dev/null
for unit in "${FB_UNITS[@]}"; do
    fb_check "remove: $unit disabled" test ! -e "$root/etc/systemd/system/multi-user.target.wants/$unit"
done
fb_check "remove: /etc/guest-agent/agent.conf kept (conffile)" test -f "$root/etc/guest-agent/agent.conf"
fb_check "remove: per-instance state kept" test -d "$root/var/lib/guest-agent"
chroot "$root" dpkg --purge guest-agent >/dev/null
fb_check "purge: /etc/guest-agent removed" test ! -e "$root/etc/guest-agent"
fb_check "purge: /var/lib/guest-agent removed" test ! -e "$root/var/lib/guest-agent"
fb_check "purge: the admin user stays (the instance's, not the package's)" grep -q "^$user:" "$root/etc/passwd"
fb_phase_end

# 4. Config drive, no metadata server.
fb_phase_start "config drive boot (ISO on a loop device, no metadata server)"
drive_pass=$(fb_random_password)
fb_config_drive_iso "$fixtures_a" "$work/drive" "$work/config-2.iso" "$drive_pass"
loop=$(losetup --find --show --read-only "$work/config-2.iso")
fb_on_exit "losetup -d $loop"
fb_ok "config drive on $loop (label $(blkid -o value -s LABEL "$loop" 2>/dev/null || echo '?'))"
root=$work/root-drive
fb_root_prepare "$tarball" "$root"
fb_root_install_deb "$root" "$deb"
fb_netns_create "$$d" "$mac" no-metadata
fb_boot "$root" "$work" drive "$loop"
drive_ms=$FB_BOOT_MS
fb_check_instance "$root" demo-instance "$user" "$drive_pass" "$work/drive.console" "$image_fingerprints"
fb_check_userdata_marker "$root" "$instance_a"
printf '  config drive boot: both units in %d ms (limit 3000 ms)\n' "$drive_ms"
[ "$drive_ms" -lt 3000 ] || fb_fail "the config drive boot took $drive_ms ms, more than 3 s"
fb_ok "config drive boot under 3 s"
fb_phase_end

fb_print_timings
fb_say "first-boot test passed"
