# shellcheck shell=bash
# Installing the package into a fresh root and booting it: the units' own ExecStart lines,
# in the units' order, run by sandbox.sh inside the instance's namespaces.

FB_UNITS=(guest-agent-local.service guest-agent.service)

# Unpacks a fresh root onto a tmpfs at DIR (its own filesystem, as an image's root is one:
# the resize plugin sees a tmpfs and skips it, and never the disk of this machine).
fb_root_prepare() {
    local tarball=$1 dir=$2
    mkdir -p "$dir"
    mount -t tmpfs -o mode=0755,size=2g guest-agent-root "$dir"
    fb_on_exit "umount -l $dir"
    fb_rootfs_unpack "$tarball" "$dir"
}

# dpkg -i in a chroot, as an image build installs it; then checks that the units are
# enabled for the next boot and that nothing ran: no agent process, no state, no log.
fb_root_install_deb() {
    local root=$1 deb=$2
    cp "$deb" "$root/tmp/"
    chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin dpkg -i "/tmp/$(basename "$deb")" \
        >"$root/tmp/dpkg.log" 2>&1 || {
        cat "$root/tmp/dpkg.log" >&2
        fb_fail "dpkg -i $(basename "$deb") in the chroot"
    }
    rm -f "$root/tmp/$(basename "$deb")"
    local unit
    for unit in "${FB_UNITS[@]}"; do
        fb_check "$unit installed in /lib/systemd/system" test -f "$root/lib/systemd/system/$unit"
        # systemctl links to /lib on Debian 12, and to /usr/lib on 13 (merged /usr).
        fb_check "$unit enabled (multi-user.target.wants link)" \
            fb_unit_link_ok "$(readlink "$root/etc/systemd/system/multi-user.target.wants/$unit")" "$unit"
    done
    fb_check "conffile /etc/guest-agent/agent.conf registered" \
        grep -qx '/etc/guest-agent/agent.conf' "$root/var/lib/dpkg/info/guest-agent.conffiles"
    fb_check "postinst started nothing: no /var/lib/guest-agent" test ! -e "$root/var/lib/guest-agent"
    fb_check "postinst started nothing: no guest-agent process" fb_no_agent_process "$root"
    fb_check "in a chroot without /proc the shipped binary refuses, naming /proc (exit 64)" \
        fb_refuses_without_proc "$root"
}

# True when an enablement link's target is the package's unit: fb_unit_link_ok TARGET UNIT.
fb_unit_link_ok() {
    [ "$1" = "/lib/systemd/system/$2" ] || [ "$1" = "/usr/lib/systemd/system/$2" ]
}

# True when `guest-agent status --json` in a chroot of ROOT without /proc (as an image build
# runs it) exits 64 naming /proc: the static runtime reads its command line and sizes its
# thread pool from /proc, so it must neither print the help nor run half-blind.
fb_refuses_without_proc() {
    local root=$1 output status=0
    [ ! -e "$root/proc/self" ] || return 1
    output=$(chroot "$root" /usr/bin/guest-agent status --json 2>&1) || status=$?
    [ "$status" = 64 ] && grep -q '/proc is not mounted' <<<"$output"
}

# True when no running process has its root in ROOT and runs guest-agent.
fb_no_agent_process() {
    local root=$1 pid
    root=$(readlink -f "$1")
    for pid in $(pgrep -x guest-agent || true); do
        [ "$(readlink "/proc/$pid/root")" = "$root" ] && return 1
    done
    return 0
}

# Writes the units' ExecStart lines, in boot order, to FILE ("UNIT COMMAND..." each); fails
# on a line this runner cannot run exactly as systemd would (prefixes like '-' or '@',
# variables, quotes).
fb_unit_commands() {
    local root=$1 file=$2 unit line
    : >"$file"
    for unit in "${FB_UNITS[@]}"; do
        line=$(sed -n 's/^ExecStart=//p' "$root/lib/systemd/system/$unit")
        if [ -z "$line" ] || [ "$(printf '%s\n' "$line" | wc -l)" != 1 ]; then
            fb_fail "$unit: expected one ExecStart line, got '$line'"
        fi
        case "$line" in
        /*) ;;
        *) fb_fail "$unit: ExecStart '$line' has a prefix this test does not emulate" ;;
        esac
        case "$line" in
        *'$'* | *'"'* | *"'"* | *'%'*) fb_fail "$unit: ExecStart '$line' needs systemd's quoting or specifiers" ;;
        esac
        echo "$unit $line" >>"$file"
    done
    fb_check "guest-agent.service runs after guest-agent-local.service" \
        grep -Eq '^After=.*guest-agent-local\.service' "$root/lib/systemd/system/guest-agent.service"
}

# One boot: fb_boot ROOT WORK NAME [DEVICE...]. Runs the units' commands in the instance's
# namespaces (FB_NS_GUEST); the console output goes to WORK/NAME.console (and is shown),
# the per-command report to WORK/NAME.report. Then `guest-agent status --wait` in the same
# boot must say done (exit 0). Sets FB_BOOT_MS (the units' total time) and
# FB_LIVE_HOSTNAME. Fails when a unit's command or the check fails.
fb_boot() {
    local root=$1 work=$2 name=$3
    shift 3
    local commands=$work/$name.commands report=$work/$name.report console=$work/$name.console
    # ConditionPathExists=!/etc/guest-agent/disabled, as systemd checks it.
    [ ! -e "$root/etc/guest-agent/disabled" ] || fb_fail "/etc/guest-agent/disabled exists: the units would not run"
    fb_unit_commands "$root" "$commands"
    # What an image test would ask once the units ran: is this boot's first boot done?
    echo "check /usr/bin/guest-agent status --wait --timeout 10" >>"$commands"
    ip netns exec "$FB_NS_GUEST" unshare --uts --mount --pid --fork --propagation private \
        "$FB_DIR/sandbox.sh" "$root" "$commands" "$report" "$@" >"$console" 2>&1 || {
        cat "$console" >&2
        fb_fail "$name: the sandbox failed"
    }
    sed 's/^/  | /' "$console"
    FB_BOOT_MS=0
    local word status ms label command
    while read -r word status ms label command; do
        [ "$word" = exit ] || continue
        printf '  %s (%s): exit %s in %s ms\n' "$command" "$label" "$status" "$ms"
        [ "$status" = 0 ] || fb_fail "$name: '$command' exited $status (console above)"
        # The boot's time is the units' time; the check is the test's.
        [ "$label" = check ] || FB_BOOT_MS=$((FB_BOOT_MS + ms))
    done <"$report"
    # shellcheck disable=SC2034 # read by checks.sh
    FB_LIVE_HOSTNAME=$(sed -n 's/^live-hostname //p' "$report")
}
