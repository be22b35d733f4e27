#!/usr/bin/python3
"""Writes the Proxmox VE samples into samples-inputs/: the network descriptions Proxmox's
cloud-init generator (proxmox/qemu-server, src/PVE/QemuServer/Cloudinit.pm) writes, in its
exact layouts, for made-up VMs (documentation addresses, Proxmox's bc:24:11 MAC prefix):

- `nocloud_network` (NoCloud `network-config`, v1): static IPv4 with a dotted netmask, static6
  with the prefix in the address, dhcp4, dhcp6, ipv6_slaac, a nameserver entry;
- `nocloud_network_v2` (v2): `match: macaddress` + `set-name`, addresses, gateway4/6, nameservers;
- `configdrive2_network` (config drive `openstack/content/0000`, ENI): the loopback stanza
  carrying `dns_nameservers`/`dns_search`, `ethN` stanzas with `inet static|dhcp` and
  `inet6 static|auto|dhcp` (an IPv6 netmask is a prefix length);
- `cloudbase_network_eni` (ENI for cloudbase-init): no loopback, `dns-nameservers` per stanza.

Facts and layouts only: no code of Proxmox's is used.

    proxmox_samples.py [--out DIR] [--first N]
"""

import argparse
import json
import os
import sys

ORIGIN = {
    "repository": "https://github.com/proxmox/qemu-server",
    "commit": "03f2fbafc2b67819e089dbed809aca174edb2309",
    "file": "src/PVE/QemuServer/Cloudinit.pm",
    "licence": "layouts of Proxmox VE's generator (AGPL-3.0 code, not copied); the addresses and MACs are made up",
}
MAC0, MAC1 = "bc:24:11:00:00:01", "bc:24:11:00:00:02"
V1_STATIC = {
    "version": 1,
    "config": [
        {
            "type": "physical",
            "name": "eth0",
            "mac_address": MAC0,
            "subnets": [
                {"type": "static", "address": "192.0.2.10", "netmask": "255.255.255.0", "gateway": "192.0.2.1"},
                {"type": "static6", "address": "2001:db8::10/64", "gateway": "2001:db8::1"},
            ],
        },
        {"type": "nameserver", "address": ["192.0.2.53"], "search": ["example.com"]},
    ],
}
V1_DYNAMIC = {
    "version": 1,
    "config": [
        {"type": "physical", "name": "eth0", "mac_address": MAC0, "subnets": [{"type": "dhcp4"}, {"type": "dhcp6"}]},
        {"type": "physical", "name": "eth1", "mac_address": MAC1, "subnets": [{"type": "dhcp4"}, {"type": "ipv6_slaac"}]},
    ],
}
V2_STATIC = {
    "version": 2,
    "ethernets": {
        "net0": {
            "match": {"macaddress": MAC0},
            "set-name": "eth0",
            "addresses": ["192.0.2.10/24", "2001:db8::10/64"],
            "gateway4": "192.0.2.1",
            "gateway6": "2001:db8::1",
            "nameservers": {"addresses": ["192.0.2.53"], "search": ["example.com"]},
        },
        "net1": {"match": {"macaddress": MAC1}, "set-name": "eth1", "dhcp4": True, "dhcp6": True},
    },
}
LOOPBACK = "auto lo\niface lo inet loopback\n\n        dns_nameservers 192.0.2.53\n        dns_search example.com\n"
ENI_STATIC4 = LOOPBACK + (
    "auto eth0\niface eth0 inet static\n        address 192.0.2.10\n        netmask 255.255.255.0\n"
    "        gateway 192.0.2.1\n"
)
ENI_DHCP = LOOPBACK + "auto eth0\niface eth0 inet dhcp\nauto eth1\niface eth1 inet dhcp\n"
ENI_STATIC6 = LOOPBACK + (
    "auto eth0\niface eth0 inet6 static\n        address 2001:db8::10\n        netmask 64\n        gateway 2001:db8::1\n"
)
ENI_AUTO6 = LOOPBACK + "auto eth0\niface eth0 inet6 auto\n"
ENI_DUAL = ENI_STATIC4 + "iface eth0 inet6 static\n        address 2001:db8::10\n        netmask 64\n        gateway 2001:db8::1\n"
ENI_CLOUDBASE = (
    "auto eth0\niface eth0 inet static\n        address 192.0.2.10\n        netmask 255.255.255.0\n"
    "        gateway 192.0.2.1\n        dns-nameservers 192.0.2.53\n"
)
ONE_NIC = {MAC0: "ens18"}
TWO_NICS = {MAC0: "ens18", MAC1: "ens19"}
# ENI has no MACs: Proxmox names the NICs ethN, which a guest booted with net.ifnames=0 has.
ENI_ONE = {MAC0: "eth0"}
ENI_TWO = {MAC0: "eth0", MAC1: "eth1"}
DUAL_REFUSED = {
    "error": "can only be defined once",
    "why": "cloud-init 22.4.2's convert_eni_data keeps one stanza per interface and raises on an inet and an "
    "inet6 stanza for the same NIC, which is every dual-stack VM Proxmox writes; ifupdown and the agent "
    "read both",
}
V2_RENAME_REFUSED = {
    "error": "'ens18'",
    "why": "cloud-init 22.4.2 names the NIC by set-name (eth0) but looks its nameservers up by the NIC's current "
    "name (ens18) and raises KeyError: v2 with match macaddress, set-name and nameservers fails on any guest "
    "whose NIC is not already called by its set-name; the agent matches by MAC and keeps ens18",
}
SAMPLES = [
    ("proxmox-v1-static", "network-config-v1", "nocloud_network", ONE_NIC, V1_STATIC, None),
    ("proxmox-v1-dynamic", "network-config-v1", "nocloud_network", TWO_NICS, V1_DYNAMIC, None),
    # A guest booted with net.ifnames=0 (or after the rename): the NICs already have their set-names.
    ("proxmox-v2-static", "network-config-v2", "nocloud_network_v2", ENI_TWO, V2_STATIC, None),
    ("proxmox-v2-static-renamed", "network-config-v2", "nocloud_network_v2", TWO_NICS, V2_STATIC, V2_RENAME_REFUSED),
    ("proxmox-eni-static4", "eni", "configdrive2_network", ENI_ONE, ENI_STATIC4, None),
    ("proxmox-eni-dhcp", "eni", "configdrive2_network", ENI_TWO, ENI_DHCP, None),
    ("proxmox-eni-static6", "eni", "configdrive2_network", ENI_ONE, ENI_STATIC6, None),
    ("proxmox-eni-auto6", "eni", "configdrive2_network", ENI_ONE, ENI_AUTO6, None),
    ("proxmox-eni-dual-stack", "eni", "configdrive2_network", ENI_ONE, ENI_DUAL, DUAL_REFUSED),
    ("proxmox-eni-cloudbase", "eni", "cloudbase_network_eni", ENI_ONE, ENI_CLOUDBASE, None),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "samples-inputs"))
    parser.add_argument("--first", type=int, default=15)
    arguments = parser.parse_args()
    for offset, (name, form, function, nics, data, refused) in enumerate(SAMPLES):
        sample = {
            "name": name,
            "format": form,
            "origin": dict(ORIGIN, function=function),
            "guest_nics": nics,
        }
        sample["eni" if form == "eni" else "network_config"] = data
        if refused:
            sample["cloud_init_refuses"] = refused
        path = os.path.join(arguments.out, "%02d-%s.json" % (arguments.first + offset, name))
        with open(path, "w") as handle:
            json.dump(sample, handle, indent=2)
            handle.write("\n")
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
