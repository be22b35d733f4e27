# shellcheck shell=bash
# The metadata the first boot is given: copies of fixtures/default (never the originals),
# with a user data script that leaves a marker, a second instance, and a config drive.

# Copies fixtures/default to DIR and makes its user data a script that writes a marker
# file naming the instance (INSTANCE_ID is in the environment the agent gives scripts).
fb_fixtures_copy() {
    local dir=$1
    cp -r "$FB_REPO/fixtures/default" "$dir"
    cat >"$dir/openstack/latest/user_data" <<'SCRIPT'
#!/bin/sh
echo "$INSTANCE_ID" > /var/lib/first-boot-userdata-marker
SCRIPT
}

# A copy of FROM as another instance: fb_fixtures_new_instance FROM TO UUID HOSTNAME.
fb_fixtures_new_instance() {
    local from=$1 to=$2 uuid=$3 host=$4
    cp -r "$from" "$to"
    fb_json_edit "$to/openstack/latest/meta_data.json" \
        "d['uuid'] = '$uuid'; d['hostname'] = '$host.novalocal'; d['name'] = '$host'"
}

# Applies a Python statement on `d` (the parsed document) to a JSON file.
fb_json_edit() {
    python3 - "$1" "$2" <<'PY'
import json, sys
path, statement = sys.argv[1], sys.argv[2]
with open(path) as f:
    d = json.load(f)
exec(statement)
with open(path, "w") as f:
    json.dump(d, f)
PY
}

# A top-level value of the fixtures' meta_data.json.
fb_fixture_value() {
    python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
        "$1/openstack/latest/meta_data.json" "$2"
}

# The MAC of the first link in network_data.json: the test's NIC gets it.
fb_fixture_mac() {
    python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["links"][0]["ethernet_mac_address"])' \
        "$1/openstack/latest/network_data.json"
}

# Password POSTs in a mock request log (JSON lines).
fb_count_posts() {
    python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    n += e["method"] == "POST" and e["path"].endswith("/password")
print(n)' "$1"
}

# A password for the config drive's admin_pass.
fb_random_password() { openssl rand -base64 15 | tr -d '/+='; }

# A config drive as nova builds it (docs/PROTOCOLS.md §2.3): every version directory a
# copy of latest, admin_pass in meta_data.json, ISO 9660 with Rock Ridge and Joliet,
# volume label config-2: fb_config_drive_iso FIXTURES STAGE ISO ADMIN_PASS.
fb_config_drive_iso() {
    local fixtures=$1 stage=$2 iso=$3 pass=$4 version
    mkdir -p "$stage"
    cp -r "$fixtures/openstack" "$fixtures/ec2" "$stage/"
    fb_json_edit "$stage/openstack/latest/meta_data.json" "d['admin_pass'] = '$pass'"
    for version in 2012-08-10 2013-04-04 2015-10-15 2018-08-27; do
        cp -r "$stage/openstack/latest" "$stage/openstack/$version"
    done
    genisoimage -o "$iso" -ldots -allow-lowercase -allow-multidot -l -publisher "OpenStack Compute 31.0.0" \
        -quiet -J -joliet-long -r -V config-2 "$stage" 2>"$iso.log" || {
        cat "$iso.log" >&2
        fb_fail "genisoimage"
    }
    # Its one warning ("does not conform to ISO-9660") is what nova's -allow-lowercase and
    # -allow-multidot ask for: not shown.
}
