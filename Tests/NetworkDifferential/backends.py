"""One parser per backend: reads a root's files (the agent's or cloud-init's) into the
model of netmodel.py. Each takes the root and the guest's NICs (mac -> name) and reads every
file of its backend under the root, whoever wrote it. The parsers are in parse_<backend>.py;
this module has what they share and the table of them."""

import glob
import os

import netmodel as m

RENDERERS = ["eni", "netplan", "networkd", "networkmanager"]


def files(root, pattern):
    return sorted(path for path in glob.glob(os.path.join(root, pattern)) if os.path.isfile(path))


def read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def names_of(nics):
    return {name: mac for mac, name in nics.items()}


# The bonding options beyond the first five: model key -> its name in ENI (ifenslave),
# netplan, networkd's [Bond], NetworkManager's [bond], and cloud-init's v1 network state
# (from the kernel's bonding.rst and each backend's documentation, not from the agent).
BOND_OPTIONS = {
    "updelay": ("bond-updelay", "up-delay", "UpDelaySec", "updelay", "bond_updelay"),
    "downdelay": ("bond-downdelay", "down-delay", "DownDelaySec", "downdelay", "bond_downdelay"),
    "num_grat_arp": ("bond-num-grat-arp", "gratuitous-arp", "GratuitousARP", "num_grat_arp", "bond_num_grat_arp"),
    "fail_over_mac": ("bond-fail-over-mac", "fail-over-mac-policy", "FailOverMACPolicy", "fail_over_mac", "bond_fail_over_mac"),
    "primary": ("bond-primary", "primary", None, "primary", "bond_primary"),
    "primary_reselect": (
        "bond-primary-reselect", "primary-reselect-policy", "PrimaryReselectPolicy", "primary_reselect",
        "bond_primary_reselect",
    ),
    "ad_select": ("bond-ad-select", "ad-select", "AdSelect", "ad_select", "bond_ad_select"),
    "min_links": ("bond-min-links", "min-links", "MinLinks", "min_links", "bond_min_links"),
}
COLUMNS = {"eni": 0, "netplan": 1, "networkd": 2, "networkmanager": 3, "v1": 4}
BOND_WORDS = {
    "fail_over_mac": ["none", "active", "follow"],
    "primary_reselect": ["always", "better", "failure"],
    "ad_select": ["stable", "bandwidth", "count"],
}


# A bridge's spanning tree settings beyond STP and forward delay, in the same columns (from
# bridge-utils-interfaces(5), netplan's, systemd.netdev(5)/systemd.network(5) and
# NetworkManager's documentation); the per-port ones are on the port in networkd and
# NetworkManager, on the bridge elsewhere.
BRIDGE_OPTIONS = {
    "ageing": ("bridge-ageing", "ageing-time", "AgeingTimeSec", "ageing-time", "bridge_ageing"),
    "priority": ("bridge-bridgeprio", "priority", "Priority", "priority", "bridge_bridgeprio"),
    "hello": ("bridge-hello", "hello-time", "HelloTimeSec", "hello-time", "bridge_hello"),
    "max_age": ("bridge-maxage", "max-age", "MaxAgeSec", "max-age", "bridge_maxage"),
}
PORT_OPTIONS = {
    "path_cost": ("bridge-pathcost", "path-cost", "Cost", "path-cost", "bridge_pathcost"),
    "port_priority": ("bridge-portprio", "port-priority", "Priority", "priority", "bridge_portprio"),
}


def bridge_options(get, spelling, table=None):
    """{option: value} of the options `get(name)` finds in one backend's spelling."""
    table = table or BRIDGE_OPTIONS
    return {key: get(names[COLUMNS[spelling]]) for key, names in table.items()}


def port_pairs(values):
    """{port: value} from "PORT VALUE" words: ENI lines (lists of words), cloud-init's v1
    list of strings, or a mapping (its v2 form) as it is."""
    if isinstance(values, dict):
        return dict(values)
    result = {}
    for item in values or []:
        words = item.split() if isinstance(item, str) else list(item)
        for index in range(0, len(words) - 1, 2):
            result[words[index]] = words[index + 1]
    return result


def bond_options(get, spelling):
    """The options as `get(name)` finds them in one backend's spelling, normalized: numbers as
    int (milliseconds without `ms`), words by name (the kernel's numbers mapped), the primary
    as the member's name."""
    result = {}
    for key, names in BOND_OPTIONS.items():
        name = names[COLUMNS[spelling]]
        value = get(name) if name else None
        if value is None or value == "":
            result[key] = None
        elif key in BOND_WORDS:
            text = str(value).strip().lower()
            words = BOND_WORDS[key]
            result[key] = words[int(text)] if text.isdigit() and int(text) < len(words) else text
        elif key == "primary":
            result[key] = str(value)
        else:
            result[key] = int(str(value).strip().removesuffix("ms"))
    return result


def bond(members=None, mode=None, miimon=None, policy=None, rate=None, options=None):
    result = {
        "members": list(members or []),
        "mode": m.bond_mode(mode),
        "miimon": int(miimon) if miimon not in (None, "") else None,
        "xmit_hash_policy": policy,
        "lacp_rate": m.LACP_RATES.get(str(rate), rate) if rate is not None else None,
    }
    result.update(options or {key: None for key in BOND_OPTIONS})
    return result


def parsers():
    """Renderer name -> parse(root, nics) (imported here: the parsers import this module)."""
    import parse_eni
    import parse_netplan
    import parse_networkd
    import parse_networkmanager

    return {
        "eni": parse_eni.parse_eni,
        "netplan": parse_netplan.parse_netplan,
        "networkd": parse_networkd.parse_networkd,
        "networkmanager": parse_networkmanager.parse_networkmanager,
    }
