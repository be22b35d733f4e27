#!/usr/bin/python3
"""Writes samples-inputs/ from `NETWORK_CONFIGS` of cloud-init's tests/unittests/test_net.py at
tag 22.4.2: every case's network config v1 (`yaml`, `yaml_v1`) and v2 (`yaml_v2`, `yaml-v2`),
read from the literal source (`ast`: the strings and `textwrap.dedent(...)` with string
methods around them; nothing of cloud-init imported or run), then as YAML data. Guest NICs
have the names the case's expected output uses (`guest_nics` below). The case's expected
renderer outputs are kept beside it (`expected`): the harness checks that each means what
cloud-init's renderer writes for the case here, so what it finds against cloud-init's
rendered files holds against test_net.py's expected outputs too.

    extract_test_net.py CLOUD_INIT_GIT_DIR [--out DIR] [--first N]
"""

import argparse
import ast
import json
import os
import re
import subprocess
import sys
import textwrap

import yaml

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import extract_docs  # noqa: E402

SOURCE = "tests/unittests/test_net.py"
INPUT_KEYS = {"yaml": None, "yaml_v1": 1, "yaml_v2": 2, "yaml-v2": 2}
EXPECTED_KEYS = {
    "expected_eni": "eni",
    "expected_netplan": "netplan",
    "expected_networkd": "networkd",
    "expected_network_manager": "networkmanager",
}
# test_net.py renders a case's `yaml-v2` (the dash spelling, the `bond` case's v2) only
# against `expected_netplan-v2` (`testsimple_render_bond_v2`); every other input against the
# plain keys (`yaml_v2` cases share them with `yaml_v1`).
V2_EXPECTED_KEYS = {"expected_netplan-v2": "netplan"}


def string_value(node):
    """A string literal, `textwrap.dedent(<literal>)`, or either with `.strip()`-like calls."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if isinstance(node.func.value, ast.Name) and node.func.value.id == "textwrap" and node.func.attr == "dedent":
            return textwrap.dedent(string_value(node.args[0]))
        if node.func.attr in ("strip", "lstrip", "rstrip"):
            arguments = [a.value for a in node.args]
            return getattr(string_value(node.func.value), node.func.attr)(*arguments)
    if isinstance(node, ast.Dict):
        return {string_value(k): string_value(v) for k, v in zip(node.keys, node.values)}
    raise ValueError("not a string literal at line %d: %s" % (node.lineno, ast.dump(node)[:80]))


def guest_nics(config, version):
    """mac -> guest name: each NIC named as the test's expected output names it (v1 `name`,
    v2 `set-name`, else the v2 id: cloud-init's tests find no host NIC to rename it to), so
    that nothing differs by a NIC name the test never meant; a NIC given without a MAC gets
    a made-up one. An InfiniBand link's NIC has its 20-byte address."""
    nics = {}

    def add(mac, name):
        nics[(mac or "52:54:00:00:02:%02x" % (len(nics) + 1)).lower()] = name

    if version == 1:
        for entry in config.get("config", []):
            if entry.get("type") in ("physical", "infiniband"):
                add(entry.get("mac_address"), entry["name"])
    else:
        for key, value in (config.get("ethernets") or {}).items():
            value = value or {}
            match = value.get("match") or {}
            add(match.get("macaddress"), value.get("set-name") or match.get("name") or key)
    return nics


def network_configs(source):
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "NETWORK_CONFIGS" for t in node.targets):
            return {
                key.value: {k.value: v for k, v in zip(value.keys, value.values)}
                for key, value in zip(node.value.keys, node.value.values)
            }
    raise ValueError("NETWORK_CONFIGS not found in %s" % SOURCE)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repo")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "samples-inputs"))
    parser.add_argument("--first", type=int, default=25)
    arguments = parser.parse_args()
    source = subprocess.run(
        ["git", "--git-dir", arguments.repo, "show", "%s:%s" % (extract_docs.TAG, SOURCE)],
        check=True, capture_output=True, text=True,
    ).stdout
    number = arguments.first
    for case, fields in network_configs(source).items():
        for key, declared in INPUT_KEYS.items():
            if key not in fields:
                continue
            keys = V2_EXPECTED_KEYS if key == "yaml-v2" else EXPECTED_KEYS
            expected = {renderer: string_value(fields[name]) for name, renderer in keys.items() if name in fields}
            document = yaml.safe_load(string_value(fields[key]))
            config = document.get("network", document)
            version = config["version"]
            assert declared in (None, version), (case, key)
            name = "netcfg-%s-v%d" % (re.sub(r"[^a-z0-9]+", "-", case.lower()).strip("-"), version)
            result = {
                "name": name,
                "format": "network-config-v%d" % version,
                "origin": {
                    "repository": "https://github.com/canonical/cloud-init",
                    "tag": extract_docs.TAG,
                    "commit": extract_docs.COMMIT,
                    "file": SOURCE,
                    "variable": "NETWORK_CONFIGS[%r][%r]" % (case, key),
                    "licence": extract_docs.LICENCE,
                },
                "guest_nics": guest_nics(config, version),
                "network_config": {"network": config},
                "expected": expected,
            }
            file = "%02d-%s" % (number, name)
            with open(os.path.join(arguments.out, file + ".json"), "w") as handle:
                json.dump(result, handle, indent=2)
                handle.write("\n")
            print(file)
            number += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
