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


def bond(members=None, mode=None, miimon=None, policy=None, rate=None):
    return {
        "members": list(members or []),
        "mode": m.bond_mode(mode),
        "miimon": int(miimon) if miimon not in (None, "") else None,
        "xmit_hash_policy": policy,
        "lacp_rate": m.LACP_RATES.get(str(rate), rate) if rate is not None else None,
    }


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
