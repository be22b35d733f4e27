#!/usr/bin/env python3
"""Extracts the network_data.json samples from cloud-init's unit tests into samples/.

Usage: extract.py CLOUD_INIT_GIT_DIR [--ref 22.4.2] [--out DIR]

Reads the files with `git show REF:PATH` (a bare mirror is enough) and evaluates only
the literal parts of the Python sources (dicts, lists, tuples, strings, numbers, None and
names bound to such literals): nothing from cloud-init is imported or run. Writes one JSON
file per sample, named with its order, carrying its origin (repository, tag, commit, file,
variable), the NICs the test declared (`known_macs`) and the NICs the harness fakes on the
guest (`guest_nics`: `known_macs` plus a made-up name for any link MAC the test left out).

The samples (21 at 22.4.2):
- tests/unittests/test_net.py: OS_SAMPLES[0..2] ("in_data", "in_macs");
- tests/unittests/sources/test_configdrive.py: NETWORK_DATA, NETWORK_DATA_2, NETWORK_DATA_3,
  NETWORK_DATA_BOND, NETWORK_DATA_VLAN, with KNOWN_MACS;
- tests/unittests/sources/helpers/test_openstack.py: TestConvertNetJson.test_phy_types's
  net_json once per entry of cloudinit/sources/helpers/openstack.py KNOWN_PHYSICAL_TYPES
  (as the test loops), with its `macs`.
"""

import argparse
import ast
import json
import os
import subprocess
import sys

REPOSITORY = "https://github.com/canonical/cloud-init"
TEST_NET = "tests/unittests/test_net.py"
TEST_CONFIGDRIVE = "tests/unittests/sources/test_configdrive.py"
TEST_OPENSTACK = "tests/unittests/sources/helpers/test_openstack.py"
OPENSTACK_HELPER = "cloudinit/sources/helpers/openstack.py"
# cloud-init's LICENSE at the tag: GPLv3, or alternatively Apache-2.0. The samples are taken
# under Apache-2.0, the licence of this project (LICENSE), with their origin kept in each file.
LICENCE = (
    "Copyright Canonical Ltd. and cloud-init contributors; cloud-init is dual-licensed GPLv3 or "
    "Apache-2.0 (LICENSE, LICENSE-Apache2.0, LICENSE-GPLv3 at the tag); used here under Apache-2.0"
)


def git(repo, *args):
    return subprocess.run(["git", "--git-dir", repo, *args], check=True, capture_output=True, text=True).stdout


def literal(node, names):
    """Evaluates a literal expression; `names` resolves bare names (module constants)."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Dict):
        return {literal(k, names): literal(v, names) for k, v in zip(node.keys, node.values)}
    if isinstance(node, (ast.List, ast.Tuple)):
        return [literal(e, names) for e in node.elts]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -literal(node.operand, names)
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    raise ValueError("not a literal: %s (line %d)" % (ast.dump(node)[:80], node.lineno))


def assignments(body, names):
    """Name -> value for the simple literal assignments in `body`, in order (later ones may
    use earlier ones); non-literal right-hand sides are kept as nodes in `nodes`."""
    nodes = {}
    for statement in body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Name):
                nodes[target.id] = statement.value
                try:
                    names[target.id] = literal(statement.value, names)
                except ValueError:
                    pass
    return nodes


def dict_entry(node, key):
    for k, v in zip(node.keys, node.values):
        if isinstance(k, ast.Constant) and k.value == key:
            return v
    raise KeyError(key)


def guest_nics(network_data, known_macs):
    """known_macs plus a name for every physical link MAC missing from it (the guest must
    have a NIC for each link: cloud-init's tests rely on a link `name` there instead)."""
    nics = {mac.lower(): name for mac, name in known_macs.items()}
    added = {}
    taken = set(nics.values())
    number = 10
    for link in network_data.get("links", []):
        if link.get("type") in ("bond", "vlan"):
            continue
        mac = (link.get("ethernet_mac_address") or "").lower()
        if mac and mac not in nics:
            while "ens%d" % number in taken:
                number += 1
            nics[mac] = added[mac] = "ens%d" % number
            taken.add(nics[mac])
    return nics, added


def sample(name, origin, network_data, known_macs):
    nics, added = guest_nics(network_data, known_macs)
    if added:
        origin = dict(origin)
        origin["note"] = (
            "guest_nics adds %s: the test's known MACs do not name these links' NICs"
            % ", ".join("%s as %s" % item for item in sorted(added.items()))
        )
    return {
        "name": name,
        "format": "network_data.json",
        "origin": origin,
        "known_macs": known_macs,
        "guest_nics": nics,
        "network_data": network_data,
    }


def extract(repo, ref):
    commit = git(repo, "rev-parse", ref + "^{commit}").strip()

    def origin(path, variable):
        return {
            "repository": REPOSITORY,
            "tag": ref,
            "commit": commit,
            "file": path,
            "variable": variable,
            "licence": LICENCE,
        }

    samples = []

    tree = ast.parse(git(repo, "show", "%s:%s" % (ref, TEST_NET)))
    names = {}
    nodes = assignments(tree.body, names)
    for index, entry in enumerate(nodes["OS_SAMPLES"].elts):
        data = literal(dict_entry(entry, "in_data"), names)
        macs = literal(dict_entry(entry, "in_macs"), names)
        samples.append(
            sample("os-samples-%d" % index, origin(TEST_NET, "OS_SAMPLES[%d]['in_data']" % index), data, macs)
        )

    tree = ast.parse(git(repo, "show", "%s:%s" % (ref, TEST_CONFIGDRIVE)))
    names = {}
    assignments(tree.body, names)
    for variable in ["NETWORK_DATA", "NETWORK_DATA_2", "NETWORK_DATA_3", "NETWORK_DATA_BOND", "NETWORK_DATA_VLAN"]:
        samples.append(
            sample(
                variable.lower().replace("_", "-"),
                origin(TEST_CONFIGDRIVE, variable),
                names[variable],
                names["KNOWN_MACS"],
            )
        )

    helper = ast.parse(git(repo, "show", "%s:%s" % (ref, OPENSTACK_HELPER)))
    helper_names = {}
    assignments(helper.body, helper_names)
    tree = ast.parse(git(repo, "show", "%s:%s" % (ref, TEST_OPENSTACK)))
    test_class = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "TestConvertNetJson")
    method = next(n for n in test_class.body if isinstance(n, ast.FunctionDef) and n.name == "test_phy_types")
    names = {}
    assignments(method.body, names)
    for link_type in helper_names["KNOWN_PHYSICAL_TYPES"]:
        data = json.loads(json.dumps(names["net_json"]))
        data["links"][0]["type"] = link_type
        variable = "TestConvertNetJson.test_phy_types net_json, links[0].type = %s (KNOWN_PHYSICAL_TYPES in %s)" % (
            json.dumps(link_type),
            OPENSTACK_HELPER,
        )
        samples.append(
            sample(
                "phy-type-%s" % ("null" if link_type is None else link_type.replace("_", "-")),
                origin(TEST_OPENSTACK, variable),
                data,
                names["macs"],
            )
        )
    return samples


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repo", help="cloud-init git directory (a bare mirror is enough)")
    parser.add_argument("--ref", default="22.4.2")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "samples"))
    arguments = parser.parse_args()
    if os.path.isdir(os.path.join(arguments.repo, ".git")):
        arguments.repo = os.path.join(arguments.repo, ".git")
    samples = extract(arguments.repo, arguments.ref)
    os.makedirs(arguments.out, exist_ok=True)
    for old in os.listdir(arguments.out):
        if old.endswith(".json"):
            os.remove(os.path.join(arguments.out, old))
    for number, entry in enumerate(samples, start=1):
        path = os.path.join(arguments.out, "%02d-%s.json" % (number, entry["name"]))
        with open(path, "w") as handle:
            json.dump(entry, handle, indent=2, sort_keys=False)
            handle.write("\n")
    print("%d samples written to %s" % (len(samples), arguments.out), file=sys.stderr)


if __name__ == "__main__":
    main()
