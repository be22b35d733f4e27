"""netplan YAML (/etc/netplan/*.yaml, merged as netplan merges them) into the model of
netmodel.py."""

import yaml

import netmodel as m
import backends
from backends import bond, files, names_of, read


def parse_netplan(root, nics):
    """Every /etc/netplan/*.yaml, later files adding to earlier ones; a NIC's name is its
    set-name, else the name it is matched by, else its id."""
    merged = {}
    for path in files(root, "etc/netplan/*.yaml"):
        document = yaml.safe_load(read(path)) or {}
        for kind, entries in (document.get("network") or {}).items():
            if isinstance(entries, dict):
                for key, value in entries.items():
                    merged.setdefault(kind, {}).setdefault(key, {}).update(value or {})
    ids = {}  # netplan id -> interface name
    for key, value in merged.get("ethernets", {}).items():
        ids[key] = value.get("set-name") or (value.get("match") or {}).get("name") or key
    for kind in ("bonds", "bridges", "vlans"):
        for key in merged.get(kind, {}):
            ids[key] = key
    interfaces = {}
    kinds = {"ethernets": "ethernet", "bonds": "bond", "bridges": "bridge", "vlans": "vlan"}
    for group, kind in kinds.items():
        for key, value in merged.get(group, {}).items():
            name = ids[key]
            entry = interfaces.setdefault(name, m.interface(name, kind))
            if kind == "ethernet":
                match = value.get("match") or {}
                entry["mac"] = m.mac(match.get("macaddress")) or names_of(nics).get(name)
            else:
                entry["mac"] = m.mac(value.get("macaddress"))
            if kind == "bond":
                parameters = value.get("parameters") or {}
                members = [ids.get(member, member) for member in value.get("interfaces") or []]
                entry["bond"] = bond(
                    members,
                    parameters.get("mode"),
                    parameters.get("mii-monitor-interval"),
                    parameters.get("transmit-hash-policy"),
                    parameters.get("lacp-rate"),
                    backends.bond_options(parameters.get, "netplan"),
                )
                for member in members:
                    interfaces.setdefault(member, m.interface(member, "ethernet"))["master"] = name
            if kind == "bridge":
                parameters = value.get("parameters") or {}
                members = [ids.get(member, member) for member in value.get("interfaces") or []]
                entry["bridge"] = m.bridge(
                    members,
                    parameters.get("stp"),
                    parameters.get("forward-delay"),
                    backends.bridge_options(parameters.get, "netplan"),
                    backends.bridge_options(parameters.get, "netplan", backends.PORT_OPTIONS),
                )
                for member in members:
                    interfaces.setdefault(member, m.interface(member, "ethernet"))["master"] = name
            if kind == "vlan":
                entry["vlan"] = {"id": int(value["id"]), "link": ids.get(value.get("link"), value.get("link"))}
            if value.get("activation-mode") in ("manual", "off"):
                entry["auto"] = False
            if value.get("wakeonlan") is not None:
                entry["wakeonlan"] = bool(value["wakeonlan"])
            if value.get("ipv6-mtu") is not None:
                entry["ipv6_mtu"] = int(value["ipv6-mtu"])
            if value.get("mtu") is not None:
                entry["mtu"] = int(value["mtu"])
            entry["dhcp4"] = bool(value.get("dhcp4", False))
            entry["dhcp6"] = bool(value.get("dhcp6", False))
            if "accept-ra" in value:
                entry["ra"] = "accept" if value["accept-ra"] else "refuse"
            for text in value.get("addresses") or []:
                m.add(entry["addresses"], m.address(text))
            for family in ("gateway4", "gateway6"):
                if value.get(family):
                    m.add(entry["routes"], m.route("default", value[family]))
            for item in value.get("routes") or []:
                m.add(entry["routes"], m.route(item.get("to"), item["via"], metric=item.get("metric")))
            servers = value.get("nameservers") or {}
            m.add(entry["dns"], *(servers.get("addresses") or []))
            m.add(entry["search"], *(servers.get("search") or []))
    return m.finish(interfaces, nic_of_name=names_of(nics))
