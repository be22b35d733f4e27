"""ifupdown (/etc/network/interfaces and interfaces.d) into the model of netmodel.py,
with cloud-init's udev renames (70-persistent-net.rules) applied."""

import re

import netmodel as m
import backends
from backends import bond, files, names_of, read


def udev_names(root):
    """NAME= by ATTR{address}== from udev rules under the root (cloud-init's renames)."""
    names = {}
    for path in files(root, "etc/udev/rules.d/*.rules"):
        for line in read(path).splitlines():
            found_mac = re.search(r'ATTR\{address\}=="([^"]+)"', line)
            found_name = re.search(r'NAME="([^"]+)"', line)
            if found_mac and found_name:
                names[found_name.group(1)] = m.mac(found_mac.group(1))
    return names


def eni_route(words, interface):
    """`ip [-6] route add|replace D via G [metric N] dev X` or
    `route add [-A inet6] default|-net D|-host D [netmask M] gw G [metric N]`."""
    metric = words[words.index("metric") + 1] if "metric" in words else None
    if words[:1] == ["ip"]:
        words = [w for w in words[1:] if w not in ("-4", "-6")]
        if len(words) >= 5 and words[0] == "route" and words[1] in ("add", "replace") and "via" in words:
            return m.route(words[2], words[words.index("via") + 1], metric=metric)
    if words[:2] == ["route", "add"]:
        rest = [w for w in words[2:] if w not in ("-A", "inet6", "-net", "-host")]
        if "gw" in rest:
            gateway = rest[rest.index("gw") + 1]
            destination = rest[0] if rest[0] != "gw" else "default"
            netmask = rest[rest.index("netmask") + 1] if "netmask" in rest else None
            return m.route(destination, gateway, netmask, metric=metric)
    raise ValueError("%s: route command not understood: %s" % (interface, " ".join(words)))


def parse_eni(root, nics):
    """Every stanza of /etc/network/interfaces and interfaces.d; the loopback's dns-* lines
    are the global DNS (cloud-init puts them there)."""
    stanzas = []  # (name, family, method, {option: [values]})
    started = set()  # names on an `auto` or `allow-*` line
    paths = files(root, "etc/network/interfaces") + files(root, "etc/network/interfaces.d/*")
    for path in paths:
        current = None
        for raw in read(path).splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            words = line.split()
            if words[0] == "iface":
                current = (words[1], words[2], words[3], {})
                stanzas.append(current)
            elif words[0] in ("auto", "source", "source-directory", "mapping") or words[0].startswith("allow-"):
                if words[0] == "auto" or words[0].startswith("allow-"):
                    started.update(words[1:])
                current = None
            elif current is not None:
                current[3].setdefault(words[0].replace("_", "-"), []).append(words[1:])
    renamed = udev_names(root)
    nic_of_name = dict(names_of(nics), **renamed)
    interfaces = {}
    global_dns, global_search = [], []
    for name, family, method, options in stanzas:
        first = {key: values[0] for key, values in options.items()}
        if method == "loopback":
            for values in options.get("dns-nameservers", []):
                m.add(global_dns, *values)
            for values in options.get("dns-search", []):
                m.add(global_search, *values)
            continue
        seen = name in interfaces
        entry = interfaces.setdefault(name, m.interface(name, "ethernet"))
        entry["auto"] = name in started
        if "bond-slaves" in first or "bond-mode" in first and "bond-master" not in first:
            entry["kind"] = "bond"
            slaves = [s for s in first.get("bond-slaves", []) if s != "none"]
            entry["bond"] = bond(
                slaves,
                (first.get("bond-mode") or [None])[0],
                (first.get("bond-miimon") or [None])[0],
                (first.get("bond-xmit-hash-policy") or [None])[0],
                (first.get("bond-lacp-rate") or [None])[0],
                backends.bond_options(lambda key: (first.get(key) or [None])[0], "eni"),
            )
        if "bridge-ports" in first:
            entry["kind"] = "bridge"
            ports = [p for p in first["bridge-ports"] if p != "none"]
            entry["bridge"] = m.bridge(
                ports,
                (first.get("bridge-stp") or [None])[0],
                (first.get("bridge-fd") or [None])[0],
                backends.bridge_options(lambda key: (first.get(key) or [None])[0], "eni"),
                {key: backends.port_pairs(options.get(names[0])) for key, names in backends.PORT_OPTIONS.items()},
            )
        if "vlan-raw-device" in first:
            entry["kind"] = "vlan"
            vlan_id = (first.get("vlan-id") or [name.rsplit(".", 1)[-1].replace("vlan", "")])[0]
            entry["vlan"] = {"id": int(vlan_id), "link": first["vlan-raw-device"][0]}
        if "bond-master" in first:
            entry["master"] = first["bond-master"][0]
        if "hwaddress" in first and entry["kind"] != "ethernet":
            entry["mac"] = m.mac(first["hwaddress"][-1])
        if "ethernet-wol" in first:
            entry["wakeonlan"] = "g" in first["ethernet-wol"][0]
        if "mtu" in first:
            # ifupdown: an inet6 stanza's mtu after the link's is the IPv6 MTU.
            entry["ipv6_mtu" if family == "inet6" and seen else "mtu"] = int(first["mtu"][0])
        if family == "inet" and method == "dhcp":
            entry["dhcp4"] = True
        if family == "inet6" and method == "dhcp":
            entry["dhcp6"] = True
        if family == "inet6" and method in ("auto", "dhcp"):
            accept = (first.get("accept-ra") or ["1"])[0]
            entry["ra"] = "refuse" if accept == "0" else "accept"
            if method == "auto" and (first.get("dhcp") or ["0"])[0] == "1":
                entry["dhcp6"] = True
        if family == "inet6" and method == "static" and "accept-ra" in first and entry["ra"] == "default":
            entry["ra"] = "refuse" if first["accept-ra"][0] == "0" else "accept"
        if method == "static":
            for values in options.get("address", []):
                prefix = (first.get("netmask") or [None])[0] if "/" not in values[0] else None
                m.add(entry["addresses"], m.address(values[0], prefix))
        for values in options.get("gateway", []):
            m.add(entry["routes"], m.route("default", values[0]))
        for key in ("up", "post-up"):
            for values in options.get(key, []):
                words = [w for w in values if w not in ("||", "true")]
                m.add(entry["routes"], eni_route(words, name))
        for values in options.get("dns-nameservers", []):
            m.add(entry["dns"], *values)
        for values in options.get("dns-search", []):
            m.add(entry["search"], *values)
    for name, entry in interfaces.items():
        if entry["master"] and entry["master"] in interfaces and interfaces[entry["master"]]["bond"]:
            m.add(interfaces[entry["master"]]["bond"]["members"], name)
        for group in ("bond", "bridge"):
            if entry["kind"] == group:
                for member in entry[group]["members"]:
                    if member in interfaces:
                        interfaces[member]["master"] = name
        if entry["kind"] == "ethernet":
            entry["mac"] = nic_of_name.get(name)
    return m.finish(interfaces, global_dns, global_search, nic_of_name)
