"""cloud-init 22.4.2 as the reference: its Debian package unpacked (never installed), its
`convert_net_json` (network_data.json), `convert_eni_data` (ENI), `network_state` (network
config v1 and v2) and four renderers called in-process, and its network state read into the
model of netmodel.py.

Needs Debian's /usr/bin/python3 with python3-yaml, python3-requests and python3-configobj
(what cloud-init's modules import on the way to the renderers).
"""

import glob
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import tempfile

import backends
import netmodel as m

VERSION = "22.4.2"
# What `netplan info` lists on Debian 12 (netplan.io 0.106): cloud-init's netplan renderer
# asks for it, and a fixed list keeps the reference independent of this machine.
NETPLAN_FEATURES = [
    "dhcp-use-domains", "auth-phase2", "ipv6-mtu", "modems", "sriov", "openvswitch", "activation-mode",
    "eswitch-mode", "infiniband", "regdom", "vrf", "vxlan", "dbus-config", "generate-just-in-time",
    "generated-supplicant", "default-routes",
]  # fmt: skip


CACHES = ("/var/cache/guest-agent-tests", os.path.join(tempfile.gettempdir(), "guest-agent-tests-cache"))


def default_cache():
    """The first cache that already holds the unpacked package (scripts/setup.sh fills the
    first, as root), else the first writable one."""
    for candidate in CACHES:
        if glob.glob(os.path.join(candidate, "cloud-init_%s-*/usr/lib/python3/dist-packages/cloudinit" % VERSION)):
            return candidate
    for candidate in CACHES:
        try:
            os.makedirs(candidate, exist_ok=True)
            if os.access(candidate, os.W_OK):
                return candidate
        except OSError:
            continue
    raise RuntimeError("no writable cache directory")


def prepare(cache):
    """The unpacked package's dist-packages directory: `apt-get download cloud-init` into
    CACHE/debs (once), `dpkg -x` into CACHE/cloud-init-<version> (once)."""
    debs = os.path.join(cache, "debs")
    os.makedirs(debs, exist_ok=True)
    found = sorted(glob.glob(os.path.join(debs, "cloud-init_%s-*_all.deb" % VERSION)))
    if not found:
        result = subprocess.run(["apt-get", "download", "cloud-init"], cwd=debs, capture_output=True, text=True)
        found = sorted(glob.glob(os.path.join(debs, "cloud-init_%s-*_all.deb" % VERSION)))
        if not found:
            raise RuntimeError(
                "no cloud-init %s package: apt-get download cloud-init said: %s%s (is this Debian 12 with "
                "its package lists, `apt-get update`?)" % (VERSION, result.stdout, result.stderr)
            )
    deb = found[-1]
    target = os.path.join(cache, os.path.basename(deb)[: -len("_all.deb")])
    packages = os.path.join(target, "usr/lib/python3/dist-packages")
    if not os.path.isdir(os.path.join(packages, "cloudinit")):
        scratch = tempfile.mkdtemp(dir=cache, prefix=".unpack-")
        subprocess.run(["dpkg", "-x", deb, scratch], check=True)
        shutil.rmtree(target, ignore_errors=True)
        os.rename(scratch, target)
    return packages


def load(packages):
    """Imports cloud-init from the unpacked tree, with the two host probes it would make
    replaced: nothing here may run a program or read this machine's NICs."""
    if packages not in sys.path:
        sys.path.insert(0, packages)
    from cloudinit import subp, version  # noqa: E402

    if version.version_string() != VERSION:
        raise RuntimeError("unpacked cloud-init is %s, not %s" % (version.version_string(), VERSION))

    def no_programs(*args, **kwargs):
        raise RuntimeError("cloud-init tried to run %r in the reference" % (args,))

    subp.subp = no_programs
    import cloudinit.net  # noqa: E402

    cloudinit.net.get_ib_hwaddrs_by_interface = lambda: {}
    # Network config v2 names a NIC matched by MAC after the host's NIC of that MAC: the
    # sample's guest NICs stand in for this machine's.
    from cloudinit.net import network_state

    network_state.get_interfaces_by_mac = lambda *args, **kwargs: dict(GUEST_NICS)
    network_state.find_interface_name_from_mac = lambda mac: GUEST_NICS.get(str(mac).lower())
    return cloudinit


# mac -> name of the sample being converted (what cloud-init's host probes answer).
GUEST_NICS = {}
FORMATS = ("network_data.json", "network-config-v1", "network-config-v2", "eni")


def v1_config(sample):
    """The sample as cloud-init's network config: network_data.json and ENI through
    cloud-init's converters (convert_net_json, convert_eni_data), network config v1 and v2
    as they are (without the `network:` key). v2 stays v2: parse_net_config_data reads both."""
    from cloudinit.net import eni
    from cloudinit.sources.helpers import openstack

    GUEST_NICS.clear()
    GUEST_NICS.update(sample["guest_nics"])
    if sample["format"] == "network_data.json":
        return openstack.convert_net_json(sample["network_data"], known_macs=sample["guest_nics"])
    if sample["format"] == "eni":
        return eni.convert_eni_data(sample["eni"])
    if sample["format"] in ("network-config-v1", "network-config-v2"):
        config = sample["network_config"]
        return config.get("network", config)
    raise RuntimeError("sample %s: unknown format %s" % (sample["name"], sample["format"]))


def renderer(name):
    from cloudinit.net import eni, netplan, network_manager, networkd

    if name == "eni":
        return eni.Renderer({"eni_path": "etc/network/interfaces.d/50-cloud-init"})
    if name == "netplan":
        return netplan.Renderer({"features": NETPLAN_FEATURES})
    if name == "networkd":
        return networkd.Renderer({})
    return network_manager.Renderer({})


def render(config, name, target):
    """cloud-init's renderer `name` on a fresh network state (renderers change the state
    they are given: eni pops keys the NetworkManager renderer then reads)."""
    from cloudinit.net import network_state

    os.makedirs(target, exist_ok=True)
    state = network_state.parse_net_config_data(json.loads(json.dumps(config)))
    renderer(name).render_network_state(state, target=target)


# Where test_net.py's expected output of each renderer goes in a root, for the parsers.
EXPECTED_PATHS = {
    "eni": "etc/network/interfaces.d/50-cloud-init",
    "netplan": "etc/netplan/50-cloud-init.yaml",
    "networkd": "etc/systemd/network/10-cloud-init-expected.network",
    "networkmanager": "etc/NetworkManager/system-connections",
}


def write_expected(expected, name, target):
    """A test_net.py case's expected output for renderer `name` (text, or NetworkManager's
    {file name: text}) written into a fresh root `target`."""
    path = os.path.join(target, EXPECTED_PATHS[name])
    files = {os.path.join(path, key): text for key, text in expected.items()} if isinstance(expected, dict) else {path: expected}
    for file, text in files.items():
        os.makedirs(os.path.dirname(file), exist_ok=True)
        with open(file, "w", encoding="utf-8") as handle:
            handle.write(text)


def meaning(config):
    """The v1 configuration's meaning, read from cloud-init's own network state."""
    from cloudinit.net import network_state

    state = network_state.parse_net_config_data(json.loads(json.dumps(config)))
    interfaces = {}
    for iface in state.iter_interfaces():
        if iface["type"] == "loopback":
            continue  # ENI's `iface lo`: nothing is configured on it
        kinds = {"physical": "ethernet", "infiniband": "infiniband", "bond": "bond", "vlan": "vlan", "bridge": "bridge"}
        kind = kinds.get(iface["type"], "unknown")
        entry = m.interface(iface["name"], kind)
        entry["mac"] = m.mac(iface.get("mac_address"))
        entry["mtu"] = int(iface["mtu"]) if iface.get("mtu") else None
        entry["wakeonlan"] = iface.get("wakeonlan")
        # cloud-init's eni renderer brings an interface up at boot unless every subnet says
        # `control: manual` (its `manual` type included).
        subnets = iface.get("subnets") or []
        entry["auto"] = not subnets or any(subnet.get("control", "auto") != "manual" for subnet in subnets)
        if kind == "bond":

            def param(key):
                for spelling in (key, key.replace("_", "-")):
                    if iface.get(spelling) is not None:
                        return iface[spelling]
                return None

            miimon = param("bond_miimon")
            entry["bond"] = {
                "members": [],
                "mode": m.bond_mode(param("bond_mode")),
                "miimon": int(miimon) if miimon is not None else None,
                "xmit_hash_policy": param("bond_xmit_hash_policy"),
                "lacp_rate": m.LACP_RATES.get(str(param("bond_lacp_rate")), param("bond_lacp_rate"))
                if param("bond_lacp_rate") is not None
                else None,
            }
            entry["bond"].update(backends.bond_options(param, "v1"))
        if kind == "vlan":
            entry["vlan"] = {"id": int(iface["vlan_id"]), "link": iface["vlan-raw-device"]}
        if kind == "bridge":
            entry["bridge"] = m.bridge(
                iface.get("bridge_ports"),
                iface.get("bridge_stp"),
                iface.get("bridge_fd"),
                backends.bridge_options(iface.get, "v1"),
                {key: backends.port_pairs(iface.get(names[4])) for key, names in backends.PORT_OPTIONS.items()},
            )
        entry["master"] = iface.get("bond-master")
        ra = iface.get("accept-ra")
        for subnet in iface.get("subnets") or []:
            kind_of = subnet["type"]
            if subnet.get("mtu"):
                # A subnet's MTU wins over the interface's, as cloud-init's renderers take it;
                # an IPv6 subnet's is the IPv6 MTU.
                ipv6 = kind_of.startswith(("dhcp6", "ipv6_", "static6")) or ":" in str(subnet.get("address", ""))
                entry["ipv6_mtu" if ipv6 else "mtu"] = int(subnet["mtu"])
            if kind_of in ("static", "static6"):
                m.add(entry["addresses"], m.address(subnet["address"], subnet.get("prefix")))
                if subnet.get("gateway"):
                    m.add(entry["routes"], m.route("default", subnet["gateway"]))
            if kind_of in ("dhcp", "dhcp4"):
                entry["dhcp4"] = True
            if kind_of in ("dhcp6", "ipv6_dhcpv6-stateful", "ipv6_dhcpv6-stateless"):
                entry["dhcp6"] = True
            if kind_of in ("ipv6_slaac", "ipv6_dhcpv6-stateless") and ra is None:
                ra = True
            for item in subnet.get("routes") or []:
                m.add(
                    entry["routes"], m.route(item["network"], item["gateway"], item.get("prefix"), item.get("metric"))
                )
            m.add(entry["dns"], *(subnet.get("dns_nameservers") or []))
            m.add(entry["search"], *(subnet.get("dns_search") or []))
        entry["ra"] = "default" if ra is None else ("accept" if ra else "refuse")
        # A v1 `nameserver` with `interface` (key "addresses") and v2 `nameservers` (key
        # "nameservers") are the interface's own.
        own = iface.get("dns") or {}
        m.add(entry["dns"], *(own.get("addresses") or own.get("nameservers") or []))
        m.add(entry["search"], *(own.get("search") or []))
        interfaces[iface["name"]] = entry
    for name, entry in interfaces.items():
        if entry["master"] in interfaces and interfaces[entry["master"]]["bond"] is not None:
            m.add(interfaces[entry["master"]]["bond"]["members"], name)
        if entry["bridge"]:
            for port in entry["bridge"]["members"]:
                if port in interfaces:
                    interfaces[port]["master"] = name
    # v1 `route` entries belong to no interface: on the one whose address holds the gateway
    # (where a renderer can reach it), else nowhere.
    for item in state.iter_routes():
        route = m.route(item.get("network"), item["gateway"], item.get("prefix"), item.get("metric"))
        gateway = ipaddress.ip_address(str(item["gateway"]))
        for entry in interfaces.values():
            if any(gateway in ipaddress.ip_interface(a).network for a in entry["addresses"]):
                m.add(entry["routes"], route)
                break
    # A NIC the configuration names without a MAC is the guest's NIC of that name.
    names = {name: mac for mac, name in GUEST_NICS.items()}
    names.update({entry["name"]: entry["mac"] for entry in interfaces.values() if entry["kind"] == "ethernet" and entry["mac"]})
    return m.finish(interfaces, state.dns_nameservers, state.dns_searchdomains, names)
