# shellcheck shell=bash
# The first boot's network: the instance's namespace (its one NIC, eth0, with the MAC the
# fixtures' network_data.json gives the port, so the network plugin finds it), joined by a
# veth pair to the metadata namespace, where the mock server listens on
# 169.254.169.254:80. For the config drive boot the peer namespace has no address at all:
# nothing answers at 169.254.169.254. Traffic never leaves the two namespaces.

# Creates the pair: fb_netns_create ID MAC [with-metadata|no-metadata]. Sets FB_NS_GUEST
# and FB_NS_META; registers their removal (which removes the veth pair too).
fb_netns_create() {
    local id=$1 mac=$2 mode=$3
    FB_NS_GUEST=fbg-$id
    FB_NS_META=fbm-$id
    ip netns add "$FB_NS_GUEST"
    fb_on_exit "ip netns del $FB_NS_GUEST"
    ip netns add "$FB_NS_META"
    fb_on_exit "ip netns del $FB_NS_META"
    ip link add "fbv-$id" type veth peer name "fbp-$id"
    ip link set "fbv-$id" netns "$FB_NS_GUEST"
    ip link set "fbp-$id" netns "$FB_NS_META"
    ip -n "$FB_NS_GUEST" link set "fbv-$id" name eth0
    ip -n "$FB_NS_GUEST" link set eth0 address "$mac"
    ip -n "$FB_NS_GUEST" link set lo up
    ip -n "$FB_NS_META" link set lo up
    # As a DHCP client or the link-local fallback would leave it before the network stage.
    ip -n "$FB_NS_GUEST" addr add 169.254.10.2/16 dev eth0
    ip -n "$FB_NS_GUEST" link set eth0 up
    if [ "$mode" = with-metadata ]; then
        ip -n "$FB_NS_META" addr add 169.254.169.254/16 dev "fbp-$id"
    fi
    ip -n "$FB_NS_META" link set "fbp-$id" up
}

# Starts the debug build's mock server in the metadata namespace:
# fb_mock_start SERVER_BINARY FIXTURES REQUEST_LOG. Sets FB_MOCK_PID.
fb_mock_start() {
    local server=$1 fixtures=$2 log=$3
    local out
    out=$(mktemp)
    ip netns exec "$FB_NS_META" "$server" --fixtures "$fixtures" --bind 169.254.169.254 --port 80 \
        --request-log "$log" >"$out" 2>&1 &
    FB_MOCK_PID=$!
    fb_on_exit "kill $FB_MOCK_PID"
    local _
    for _ in $(seq 100); do
        grep -q '^listening on' "$out" && break
        kill -0 "$FB_MOCK_PID" 2>/dev/null || break
        sleep 0.1
    done
    grep -q '^listening on http://169.254.169.254:80' "$out" || {
        cat "$out" >&2
        fb_fail "mock metadata server did not start in $FB_NS_META"
    }
    rm -f "$out"
}

# Stops the mock server started last.
fb_mock_stop() {
    kill "$FB_MOCK_PID" 2>/dev/null || true
    wait "$FB_MOCK_PID" 2>/dev/null || true
}

# The encrypted password the mock holds (what `nova get-password` reads), from inside the
# metadata namespace.
fb_mock_password() {
    ip netns exec "$FB_NS_META" curl -sf http://169.254.169.254/openstack/latest/password
}
