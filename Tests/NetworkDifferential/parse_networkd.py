"""systemd-networkd (.link, .netdev, .network under /etc/systemd/network) into the
model of netmodel.py."""

import netmodel as m
import backends
from backends import bond, files, read


def ini_sections(text):
    """[(section, [(key, value)])] keeping repeated sections and keys (systemd's INI)."""
    sections = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            sections.append((line[1:-1], []))
        elif "=" in line and sections:
            key, value = line.split("=", 1)
            sections[-1][1].append((key.strip(), value.strip()))
    return sections


def values(sections, section, key):
    return [v for name, entries in sections if name == section for k, v in entries if k == key]


def first(sections, section, key):
    found = values(sections, section, key)
    return found[0] if found else None


def parse_networkd(root, nics):
    """.link renames first, then .netdev (bonds, VLANs), then .network (L3, members, VLANs
    on a parent); a .network matching a name no .netdev or NIC has is of unknown kind."""
    directory = "etc/systemd/network/"
    renames = {}  # mac -> name from .link files
    wake = {}  # mac -> wake-on-LAN from .link files
    for path in files(root, directory + "*.link"):
        sections = ini_sections(read(path))
        if first(sections, "Match", "MACAddress") and first(sections, "Link", "WakeOnLan"):
            wake[m.mac(first(sections, "Match", "MACAddress"))] = "magic" in first(sections, "Link", "WakeOnLan")
        if first(sections, "Match", "MACAddress") and first(sections, "Link", "Name"):
            renames[m.mac(first(sections, "Match", "MACAddress"))] = first(sections, "Link", "Name")
    nic_of_name = {renames.get(mac, name): mac for mac, name in nics.items()}
    nic_of_name.update({name: mac for mac, name in renames.items()})
    interfaces = {}
    for path in files(root, directory + "*.netdev"):
        sections = ini_sections(read(path))
        name = first(sections, "NetDev", "Name")
        kind = first(sections, "NetDev", "Kind")
        kinds = {"bond": "bond", "vlan": "vlan", "bridge": "bridge"}
        entry = interfaces.setdefault(name, m.interface(name, kinds.get(kind, "unknown")))
        entry["mac"] = m.mac(first(sections, "NetDev", "MACAddress"))
        if first(sections, "NetDev", "MTUBytes"):
            entry["mtu"] = int(first(sections, "NetDev", "MTUBytes"))
        if kind == "bond":
            miimon = first(sections, "Bond", "MIIMonitorSec")
            if miimon is not None:
                miimon = int(miimon[:-2]) if miimon.endswith("ms") else int(float(miimon.rstrip("s")) * 1000)
            entry["bond"] = bond(
                [],
                first(sections, "Bond", "Mode"),
                miimon,
                first(sections, "Bond", "TransmitHashPolicy"),
                first(sections, "Bond", "LACPTransmitRate"),
                backends.bond_options(lambda key: first(sections, "Bond", key), "networkd"),
            )
        if kind == "vlan":
            entry["vlan"] = {"id": int(first(sections, "VLAN", "Id")), "link": None}
        if kind == "bridge":
            stp = first(sections, "Bridge", "STP")
            entry["bridge"] = m.bridge(
                [],
                stp,
                first(sections, "Bridge", "ForwardDelaySec"),
                backends.bridge_options(lambda key: first(sections, "Bridge", key), "networkd"),
            )
    for path in files(root, directory + "*.network"):
        sections = ini_sections(read(path))
        name = first(sections, "Match", "Name")
        match_mac = m.mac(first(sections, "Match", "MACAddress"))
        if name is None and match_mac:
            name = {mac: n for n, mac in nic_of_name.items()}.get(match_mac, "mac-" + match_mac)
        known = name in interfaces
        nic = name in nic_of_name or (match_mac in nics and not known)
        entry = interfaces.setdefault(name, m.interface(name, "ethernet" if nic else "unknown"))
        if not known and match_mac:
            entry["mac"] = match_mac
        mtu = first(sections, "Link", "MTUBytes")
        if mtu:
            entry["mtu"] = int(mtu)
        if first(sections, "Link", "MACAddress"):
            entry["mac"] = m.mac(first(sections, "Link", "MACAddress"))
        if first(sections, "Network", "IPv6MTUBytes"):
            entry["ipv6_mtu"] = int(first(sections, "Network", "IPv6MTUBytes"))
        if (first(sections, "Link", "ActivationPolicy") or "").lower() in ("manual", "down", "always-down"):
            entry["auto"] = False
        dhcp = (first(sections, "Network", "DHCP") or "no").lower()
        entry["dhcp4"] = dhcp in ("yes", "true", "ipv4", "both")
        entry["dhcp6"] = dhcp in ("yes", "true", "ipv6", "both")
        accept = first(sections, "Network", "IPv6AcceptRA")
        if accept is not None:
            entry["ra"] = "accept" if accept.lower() in ("yes", "true", "1", "on") else "refuse"
        if (first(sections, "Network", "LinkLocalAddressing") or "").lower() in ("no", "false", "ipv4"):
            entry["ra"] = "refuse"
        for text in values(sections, "Network", "Address") + values(sections, "Address", "Address"):
            m.add(entry["addresses"], m.address(text))
        for text in values(sections, "Network", "Gateway"):
            m.add(entry["routes"], m.route("default", text))
        for section_name, section in sections:
            if section_name == "Route":
                fields = dict(section)
                if "Gateway" in fields:
                    m.add(
                        entry["routes"],
                        m.route(fields.get("Destination"), fields["Gateway"], metric=fields.get("Metric")),
                    )
        for text in values(sections, "Network", "DNS"):
            m.add(entry["dns"], *text.split())
        for text in values(sections, "Network", "Domains"):
            m.add(entry["search"], *text.split())
        master = first(sections, "Network", "Bond")
        if master:
            entry["master"] = master
            bond_entry = interfaces.setdefault(master, m.interface(master, "bond"))
            if (first(sections, "Network", "PrimarySlave") or "").lower() in ("yes", "true", "1") and bond_entry["bond"]:
                bond_entry["bond"]["primary"] = name
        master = first(sections, "Network", "Bridge")
        if master:
            entry["master"] = master
            port = backends.bridge_options(lambda key: first(sections, "Bridge", key), "networkd", backends.PORT_OPTIONS)
            entry["bridge_port"] = {key: m.seconds(value) for key, value in port.items() if value is not None}
            if master not in interfaces:
                interfaces[master] = dict(m.interface(master, "bridge"), bridge=m.bridge())
        for vlan in values(sections, "Network", "VLAN"):
            interfaces.setdefault(vlan, m.interface(vlan, "vlan"))
            if interfaces[vlan]["vlan"] is None:
                interfaces[vlan]["vlan"] = {"id": None, "link": None}
            interfaces[vlan]["vlan"]["link"] = name
    m.link_ports(interfaces)
    for name, entry in interfaces.items():
        if entry["kind"] == "ethernet" and not entry["mac"]:
            entry["mac"] = nic_of_name.get(name)
    network = m.finish(interfaces, nic_of_name=nic_of_name)
    for entry in network["interfaces"].values():
        if entry["kind"] == "ethernet" and entry["mac"] in wake:
            entry["wakeonlan"] = wake[entry["mac"]]
    return network
