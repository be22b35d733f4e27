"""NetworkManager keyfiles (system-connections/*.nmconnection) into the model of
netmodel.py."""

import configparser
import re

import netmodel as m
import backends
from backends import bond, files, names_of, read


def parse_networkmanager(root, nics):
    """Every keyfile; a connection is named by interface-name, else by its MAC's NIC, else
    (a VLAN) parent.id; masters and parents may be given by uuid, id or name."""
    connections = []
    for path in files(root, "etc/NetworkManager/system-connections/*.nmconnection"):
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.optionxform = str
        parser.read_string(read(path))
        connections.append({section: dict(parser[section]) for section in parser.sections()})
    by_mac = names_of(nics)
    nic_by_mac = {mac: name for mac, name in nics.items()}

    def name_of(connection):
        settings = connection.get("connection", {})
        if settings.get("interface-name"):
            return settings["interface-name"]
        bound = m.mac(connection.get("ethernet", {}).get("mac-address"))
        if bound:
            return nic_by_mac.get(bound, "mac-" + bound)
        if settings.get("type") == "vlan":
            vlan = connection.get("vlan", {})
            return "%s.%s" % (vlan.get("parent"), vlan.get("id"))
        return settings.get("id")

    references = {}
    for connection in connections:
        settings = connection.get("connection", {})
        for reference in (settings.get("uuid"), settings.get("id"), name_of(connection)):
            if reference:
                references[reference] = name_of(connection)
    interfaces = {}
    for connection in connections:
        settings = connection.get("connection", {})
        kinds = {
            "ethernet": "ethernet", "802-3-ethernet": "ethernet", "infiniband": "infiniband", "bond": "bond",
            "vlan": "vlan", "bridge": "bridge",
        }
        kind = kinds.get(settings.get("type"), "unknown")
        name = name_of(connection)
        entry = interfaces.setdefault(name, m.interface(name, kind))
        entry["kind"] = kind
        entry["auto"] = settings.get("autoconnect", "true").lower() not in ("false", "no", "0")
        ethernet = connection.get("ethernet", {})
        if kind == "ethernet":
            entry["mac"] = m.mac(ethernet.get("mac-address")) or by_mac.get(name)
        elif kind == "infiniband":
            entry["mac"] = m.mac(connection.get("infiniband", {}).get("mac-address")) or by_mac.get(name)
            if connection.get("infiniband", {}).get("mtu"):
                entry["mtu"] = int(connection["infiniband"]["mtu"])
        else:
            entry["mac"] = m.mac(ethernet.get("cloned-mac-address"))
        if ethernet.get("wake-on-lan") is not None:
            entry["wakeonlan"] = bool(int(ethernet["wake-on-lan"]) & 0x40)
        # MTU is a wired property for every type (NetworkManager has no vlan.mtu or bond.mtu).
        mtu = ethernet.get("mtu")
        if mtu:
            entry["mtu"] = int(mtu)
        if kind == "bond":
            options = connection.get("bond", {})
            entry["bond"] = bond(
                [],
                options.get("mode"),
                options.get("miimon"),
                options.get("xmit_hash_policy"),
                options.get("lacp_rate"),
                backends.bond_options(options.get, "networkmanager"),
            )
        if kind == "bridge":
            options = connection.get("bridge", {})
            # NetworkManager's own default is spanning tree on.
            entry["bridge"] = m.bridge(
                [],
                options.get("stp", "true"),
                options.get("forward-delay"),
                backends.bridge_options(options.get, "networkmanager"),
            )
        if kind == "vlan":
            vlan = connection.get("vlan", {})
            entry["vlan"] = {"id": int(vlan["id"]), "link": references.get(vlan.get("parent"), vlan.get("parent"))}
        if settings.get("master"):
            entry["master"] = references.get(settings["master"], settings["master"])
            port = backends.bridge_options(
                connection.get("bridge-port", {}).get, "networkmanager", backends.PORT_OPTIONS
            )
            entry["bridge_port"] = {key: m.seconds(value) for key, value in port.items() if value is not None}
            continue
        for family in ("ipv4", "ipv6"):
            # A missing section is NetworkManager's default: method=auto.
            section = connection.get(family, {"method": "auto"})
            method = section.get("method", "auto")
            if family == "ipv6" and section.get("mtu"):
                entry["ipv6_mtu"] = int(section["mtu"])
            if family == "ipv4":
                entry["dhcp4"] = method == "auto"
            else:
                entry["dhcp6"] = method == "dhcp"
                entry["ra"] = {"auto": "accept", "ignore": "default"}.get(method, "refuse")
            for key in sorted(k for k in section if re.fullmatch(r"address\d+", k)):
                parts = section[key].split(",")
                m.add(entry["addresses"], m.address(parts[0]))
                if len(parts) > 1 and parts[1]:
                    m.add(entry["routes"], m.route("default", parts[1]))
            if section.get("gateway"):
                m.add(entry["routes"], m.route("default", section["gateway"]))
            for key in sorted(k for k in section if re.fullmatch(r"route\d+", k)):
                parts = section[key].split(",")
                if len(parts) > 1 and parts[1]:
                    metric = parts[2] if len(parts) > 2 else None
                    m.add(entry["routes"], m.route(parts[0], parts[1], metric=metric))
            m.add(entry["dns"], *[s for s in section.get("dns", "").split(";") if s])
            m.add(entry["search"], *[s for s in section.get("dns-search", "").split(";") if s])
    m.link_ports(interfaces)
    return m.finish(interfaces, nic_of_name=by_mac)
