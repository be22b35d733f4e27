"""The one model both outputs are read into, and its comparison.

A network is {"interfaces": {key: interface}, "dns": [...], "search": [...]}. An interface:

    kind      ethernet | infiniband | bond | vlan | bridge | unknown (a file that does not say what it is)
    name      the interface name the configuration gives (or the guest's, when it binds by MAC)
    mac       ethernet: the MAC it is matched by; bond and VLAN: the MAC it is given
    mtu       int or None
    addresses sorted "address/prefix" (canonical spelling)
    routes    sorted "destination via gateway[ metric N]" (default routes as 0.0.0.0/0 and ::/0)
    dhcp4, dhcp6  bool (dhcp6: a DHCPv6 client runs whatever the router advertisements say)
    ra        accept | refuse | default (nothing said: the kernel's or daemon's default,
              which accepts router advertisements on a host that does not forward)
    bond      {"members": [keys], "mode", "miimon", "xmit_hash_policy", "lacp_rate"} or None
    vlan      {"id", "link": key} or None
    bridge    {"members": [keys], "stp": bool or None, "forward_delay": int or None, and the spanning
              tree settings "ageing", "priority", "hello", "max_age" (int or None) and per port
              "path_cost", "port_priority" ({port key: int})} or None
    master    key of the bond or bridge it is a port of, or None
    wakeonlan True (magic packet), False (off), or None (nothing said)
    ipv6_mtu  the IPv6 MTU when one is set apart from the link's, or None
    bridge_port  a bridge port's own "path_cost" and "port_priority" (networkd and
              NetworkManager say them on the port), folded into its bridge by finish()
    auto      brought up at boot (False: v1 `control: manual`, ifupdown without `auto`,
              netplan `activation-mode: manual`, networkd `ActivationPolicy=manual`,
              NetworkManager `autoconnect=false`); compared only off ports, which their
              master brings up
    dns, search  what this interface's own configuration lists (reported; compared as the
              union over the machine, below)

Keys identify the same device on both sides whatever its name: "nic <mac>" for a NIC,
"bond <member keys>" for a bond, "bridge <port keys>" for a bridge (one without ports by its
name), "vlan <id> on <parent key>" for a VLAN, "name <name>" for a device whose kind the
files do not say. "dns" and "search" of the network are the union
of every interface's and the global ones: resolvconf, systemd-resolved and NetworkManager
all merge the per-interface lists into the one resolver configuration.
"""

import ipaddress

BOND_MODES = ["balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb"]
LACP_RATES = {"0": "slow", "1": "fast", "slow": "slow", "fast": "fast"}


def bond_mode(value):
    """Linux bonding mode name: numeric modes (0-6) are the kernel's numbering."""
    if value is None:
        return None
    text = str(value).strip()
    if text.isdigit() and int(text) < len(BOND_MODES):
        return BOND_MODES[int(text)]
    return text


def interface(name, kind="unknown"):
    return {
        "kind": kind,
        "name": name,
        "mac": None,
        "mtu": None,
        "addresses": [],
        "routes": [],
        "dhcp4": False,
        "dhcp6": False,
        "ra": "default",
        "bond": None,
        "vlan": None,
        "bridge": None,
        "master": None,
        "wakeonlan": None,
        "ipv6_mtu": None,
        "bridge_port": {},
        "auto": True,
        "dns": [],
        "search": [],
    }


def mac(text):
    return text.strip().lower() if text else None


def address(text, prefix=None):
    """'2001:DB8::10/64' or ('10.0.0.5', '255.255.255.0') -> canonical 'address/prefix'."""
    text = str(text).strip()
    if "/" in text:
        text, prefix = text.split("/", 1)
    parsed = ipaddress.ip_address(text)
    if prefix is None or str(prefix).strip() == "":
        prefix = 32 if parsed.version == 4 else 128
    prefix = str(prefix).strip()
    if not prefix.isdigit():
        prefix = ipaddress.ip_network("0.0.0.0/%s" % prefix if parsed.version == 4 else "::/%s" % prefix).prefixlen
    return "%s/%d" % (parsed, int(prefix))


def route(destination, gateway, prefix=None, metric=None):
    """A route as 'network/prefix via gateway', with ' metric N' when one is given;
    destination 'default' or None is the default."""
    gateway = ipaddress.ip_address(str(gateway).strip())
    if destination in (None, "default", "0.0.0.0/0", "::/0"):
        destination = "0.0.0.0/0" if gateway.version == 4 else "::/0"
    network = ipaddress.ip_network(address(destination, prefix), strict=False)
    text = "%s via %s" % (network, gateway)
    return text if metric in (None, "") else "%s metric %d" % (text, int(metric))


BRIDGE_OPTIONS = ["ageing", "priority", "hello", "max_age"]
PORT_OPTIONS = ["path_cost", "port_priority"]


def seconds(value):
    """A whole number, from an int or text that may end in `s` (netplan, networkd)."""
    return int(float(str(value).strip().removesuffix("s"))) if value not in (None, "") else None


def bridge(members=None, stp=None, forward_delay=None, options=None, ports=None):
    """A bridge's settings; `stp` from a bool or ifupdown/v1 text (on/off, yes/no);
    `options` maps BRIDGE_OPTIONS to values, `ports` maps PORT_OPTIONS to {port name: value}."""
    if isinstance(stp, str):
        stp = stp.strip().lower() in ("on", "yes", "true", "1")
    result = {"members": list(members or []), "stp": stp, "forward_delay": seconds(forward_delay)}
    result.update({key: seconds((options or {}).get(key)) for key in BRIDGE_OPTIONS})
    result.update({key: {p: seconds(v) for p, v in ((ports or {}).get(key) or {}).items()} for key in PORT_OPTIONS})
    return result


def link_ports(interfaces):
    """Fills bond members and bridge ports from the ports' `master` (name -> interface)."""
    for name, entry in interfaces.items():
        master = interfaces.get(entry["master"]) if entry["master"] else None
        if master is None:
            continue
        for group in ("bond", "bridge"):
            if master[group] is not None:
                add(master[group]["members"], name)


def add(values, *items):
    for item in items:
        if item is not None and item not in values:
            values.append(item)


def infiniband_address(text):
    """Whether a hardware address is an IPoIB one (20 bytes)."""
    return text is not None and len(str(text).split(":")) == 20


def finish(interfaces, dns=(), search=(), nic_of_name=None):
    """Gives each interface its key, turns member and parent names into keys, and folds
    DNS into the network's union. `interfaces` is name -> interface. An interface on a guest
    NIC with a 20-byte address (or said to be one) is InfiniBand, keyed by its name (the
    backends match IPoIB by name; netplan and networkd files do not say the kind)."""
    keys = {}
    for name, entry in interfaces.items():
        found = entry["mac"] or (nic_of_name or {}).get(name)
        if entry["kind"] == "infiniband" or (entry["kind"] in ("ethernet", "unknown") and infiniband_address(found)):
            entry["kind"] = "infiniband"
            entry["mac"] = found

    def key_of(name, seen=()):
        if name in keys:
            return keys[name]
        entry = interfaces.get(name)
        if entry is None or entry["kind"] == "infiniband":
            return "name %s" % name
        if entry["kind"] == "ethernet":
            found = entry["mac"] or (nic_of_name or {}).get(name)
            key = "nic %s" % found if found else "name %s" % name
        elif entry["kind"] == "bond" and name not in seen:
            members = sorted(key_of(member, seen + (name,)) for member in entry["bond"]["members"])
            key = "bond %s" % " + ".join(members)
        elif entry["kind"] == "bridge" and entry["bridge"]["members"] and name not in seen:
            members = sorted(key_of(member, seen + (name,)) for member in entry["bridge"]["members"])
            key = "bridge %s" % " + ".join(members)
        elif entry["kind"] == "bridge":
            key = "bridge %s" % name
        elif entry["kind"] == "vlan" and entry["vlan"].get("link") and name not in seen:
            key = "vlan %s on %s" % (entry["vlan"]["id"], key_of(entry["vlan"]["link"], seen + (name,)))
        else:
            key = "name %s" % name
        keys[name] = key
        return key

    for name, entry in interfaces.items():
        master = interfaces.get(entry["master"]) if entry["master"] else None
        if master is not None and master["bridge"] is not None:
            for key, value in entry["bridge_port"].items():
                master["bridge"][key][name] = value

    network = {"interfaces": {}, "dns": [], "search": []}
    for name, entry in interfaces.items():
        result = dict(entry)
        if entry["kind"] == "ethernet" and not entry["mac"]:
            result["mac"] = (nic_of_name or {}).get(name)
        if entry["bond"]:
            result["bond"] = dict(entry["bond"], members=sorted(key_of(m) for m in entry["bond"]["members"]))
            if entry["bond"].get("primary"):
                result["bond"]["primary"] = key_of(entry["bond"]["primary"])
        if entry["bridge"]:
            result["bridge"] = dict(entry["bridge"], members=sorted(key_of(m) for m in entry["bridge"]["members"]))
            for option in PORT_OPTIONS:
                result["bridge"][option] = {key_of(p): v for p, v in entry["bridge"][option].items()}
        if entry["vlan"]:
            result["vlan"] = dict(entry["vlan"], link=key_of(entry["vlan"]["link"]) if entry["vlan"]["link"] else None)
        if entry["master"]:
            result["master"] = key_of(entry["master"])
        result["addresses"] = sorted(entry["addresses"])
        result["routes"] = sorted(entry["routes"])
        network["interfaces"][key_of(name)] = result
        add(network["dns"], *entry["dns"])
        add(network["search"], *entry["search"])
    add(network["dns"], *dns)
    add(network["search"], *search)
    network["dns"] = sorted(network["dns"])
    network["search"] = sorted(network["search"])
    return network


FIELDS = [
    "kind", "name", "mac", "mtu", "addresses", "routes", "dhcp4", "dhcp6", "ra", "bond", "vlan", "bridge", "master",
    "wakeonlan", "ipv6_mtu", "auto",
]


def ra_same(left, right):
    """default and accept mean the same on a guest that does not forward."""
    normal = {"default": "accept"}
    return normal.get(left, left) == normal.get(right, right)


def differences(agent, reference):
    """[(key, field, agent value, reference value)] where the two networks differ."""
    result = []
    for key in sorted(set(agent["interfaces"]) | set(reference["interfaces"])):
        mine = agent["interfaces"].get(key)
        theirs = reference["interfaces"].get(key)
        if mine is None or theirs is None:
            result.append((key, "interface", "present" if mine else "absent", "present" if theirs else "absent"))
            continue
        for field in FIELDS:
            if field == "auto" and (mine["master"] or theirs["master"]):
                continue
            if field == "ra":
                if not ra_same(mine["ra"], theirs["ra"]):
                    result.append((key, "ra", mine["ra"], theirs["ra"]))
            elif mine[field] != theirs[field]:
                result.append((key, field, mine[field], theirs[field]))
    for field in ["dns", "search"]:
        if agent[field] != reference[field]:
            result.append(("network", field, agent[field], reference[field]))
    return result
