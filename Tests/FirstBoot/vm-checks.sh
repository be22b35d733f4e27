# shellcheck shell=bash
# What scripts/vm-boot-test.sh checks after a VM boot: the report the image's
# vm-boot-report unit wrote on ttyS1 (fb_vm_section), the console (ttyS0), the host's SSH
# session, and the disk after power-off (debugfs).

# A property of a unit from the report's "units" section: fb_vm_unit REPORT UNIT KEY.
fb_vm_unit() {
    fb_vm_section "$1" units | awk -v unit="$2" -v key="$3" '
        $1 == unit { split($2, kv, "="); if (kv[1] == key) { sub(/^[^=]*=/, "", $2); print $2; exit } }'
}

# True when the unit ran to success under systemd: fb_vm_unit_succeeded REPORT UNIT.
fb_vm_unit_succeeded() {
    [ "$(fb_vm_unit "$1" "$2" Result)" = success ] && [ "$(fb_vm_unit "$1" "$2" ExecMainStatus)" = 0 ] &&
        [ "$(fb_vm_unit "$1" "$2" ActiveState)" = active ] &&
        [ "$(fb_vm_unit "$1" "$2" ExecMainStartTimestampMonotonic)" -gt 0 ]
}

# True when monotonic time A <= B (both non-zero): fb_vm_before REPORT UNIT_A KEY_A UNIT_B KEY_B.
fb_vm_before() {
    local a b
    a=$(fb_vm_unit "$1" "$2" "$3")
    b=$(fb_vm_unit "$1" "$4" "$5")
    [ -n "$a" ] && [ -n "$b" ] && [ "$a" -gt 0 ] && [ "$b" -gt 0 ] && [ "$a" -le "$b" ]
}

# A "KEY VALUE" line of the report's disk section.
fb_vm_disk_value() {
    fb_vm_section "$1" disk | awk -v key="$2" '$1 == key { print $2; exit }'
}

# The IPv4 addresses (ADDRESS/PREFIX, with " dynamic" when the kernel marks them so) of the
# NIC with MAC in the report's `ip -j addr`: fb_vm_nic_addresses REPORT MAC.
fb_vm_nic_addresses() {
    fb_vm_section "$1" ip-addr | python3 -c '
import json, sys
mac = sys.argv[1]
for link in json.load(sys.stdin):
    if link.get("address") != mac:
        continue
    for a in link.get("addr_info", []):
        if a.get("family") == "inet":
            print(a["local"] + "/" + str(a["prefixlen"]) + (" dynamic" if a.get("dynamic") else ""))
' "$2"
}

# The name of the NIC with MAC in the report.
fb_vm_nic_name() {
    fb_vm_section "$1" ip-addr | python3 -c '
import json, sys
print(next((l["ifname"] for l in json.load(sys.stdin) if l.get("address") == sys.argv[1]), ""))' "$2"
}

# The default IPv4 route's gateway in the report.
fb_vm_default_gateway() {
    fb_vm_section "$1" ip-route | python3 -c '
import json, sys
print(next((r.get("gateway", "") for r in json.load(sys.stdin) if r.get("dst") == "default"), ""))'
}

# Per plugin of the last run: "PLUGIN STATUS", from the report's `status --json`.
fb_vm_plugin_statuses() {
    fb_vm_section "$1" status-json | python3 -c '
import json, sys
for record in json.load(sys.stdin).get("plugins", []):
    print(record["plugin"], record["status"])'
}

# The host keys in the report ("TYPE BASE64 COMMENT" lines) as known_hosts lines for both
# forwarded ports: fb_vm_known_hosts REPORT FILE.
fb_vm_known_hosts() {
    local report=$1 file=$2
    : >"$file"
    fb_vm_section "$report" host-keys | while read -r type key _; do
        [ -n "$key" ] || continue
        printf '[127.0.0.1]:%s %s %s\n' "$FB_VM_SSH_STATIC" "$type" "$key"
        printf '[127.0.0.1]:%s %s %s\n' "$FB_VM_SSH_DHCP" "$type" "$key"
    done >>"$file"
}

# "TYPE SHA256:..." lines for the host keys in the report, sorted (as fb_host_key_fingerprints).
fb_vm_report_fingerprints() {
    local report=$1 line
    fb_vm_section "$report" host-keys | while read -r line; do
        [ -n "$line" ] || continue
        ssh-keygen -l -E sha256 -f <(echo "$line") | awk '{ print $NF, $2 }'
    done | sort
}

# The fingerprints the agent printed on the console between its markers (one per line).
fb_vm_console_fingerprints() {
    tr -d '\r' <"$1" | sed -n '/-----BEGIN SSH HOST KEY FINGERPRINTS-----/,/-----END SSH HOST KEY FINGERPRINTS-----/p' |
        grep -o 'SHA256:[A-Za-z0-9+/=]*' | sort -u
}

# The admin user's shadow hash read from the powered-off disk.
fb_vm_shadow_hash() {
    local disk=$1 user=$2
    fb_vm_disk_cat "$disk" /etc/shadow | awk -F: -v u="$user" '$1 == u { print $2 }'
}

# True when HASH is crypt(PASSWORD) with its own salt (SHA-512 crypt).
fb_vm_hash_matches() {
    local hash=$1 password=$2 salt
    case "$hash" in "\$6\$"*) ;; *) return 1 ;; esac
    salt=$(cut -d'$' -f3 <<<"$hash")
    [ "$(printf '%s' "$password" | openssl passwd -6 -salt "$salt" -stdin)" = "$hash" ]
}

# Prints the report's sections people read first when a check fails.
fb_vm_show() {
    local report=$1 section
    for section in "$@"; do
        [ "$section" = "$report" ] && continue
        printf '  --- %s\n' "$section"
        fb_vm_section "$report" "$section" | sed 's/^/  | /'
    done
}
