#!/usr/bin/python3
"""Writes samples-inputs/ from the examples of cloud-init's network config documentation at tag
22.4.2 (doc/rtd/topics/network-config-format-v1.rst and -v2.rst): every `**... Example**::`
literal block (v1) and the complete `network:` examples (v2), read as YAML data, nothing
run. Each sample names its origin and gets guest NICs: a NIC the example matches by MAC is
given a kernel name of its own (ens3, ens4...), one it names without a MAC is that name with
a made-up MAC.

    extract_docs.py CLOUD_INIT_GIT_DIR [--out DIR]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import textwrap

import yaml

TAG = "22.4.2"
COMMIT = "606a0a7c278d8c93170f0b5fb1ce149be3349435"
LICENCE = (
    "Copyright Canonical Ltd. and cloud-init contributors; cloud-init is dual-licensed GPLv3 or Apache-2.0 "
    "(LICENSE, LICENSE-Apache2.0, LICENSE-GPLv3 at the tag); used here under Apache-2.0"
)
V1 = "doc/rtd/topics/network-config-format-v1.rst"
V2 = "doc/rtd/topics/network-config-format-v2.rst"
# The documented "Bonded VLAN" example indents the VLAN's keys two columns too deep, which
# no YAML parser reads; the sample is the example with those lines moved back, said so.
FIXES = {"Bonded VLAN Example": "the vlan entry's keys indented as its `type` (the documented block is not valid YAML)"}
# What the agent refuses on purpose, with why (the sample checks that it does).
AGENT_REFUSES = {
    "v2 complex": {
        "error": "match.name",
        "why": "a name pattern (`enp2*`) can select several NICs or none; the agent configures only NICs it can "
        "name one by one (a driver is matched only beside a MAC or a name)",
    }
}


def show(repo, path):
    return subprocess.run(
        ["git", "-C", repo, "show", "%s:%s" % (TAG, path)], check=True, capture_output=True, text=True
    ).stdout


def literal_blocks(text):
    """[(title, block)] for every `**Title**::` (or `Title: ::`) followed by an indented block."""
    lines = text.splitlines()
    blocks = []
    for index, line in enumerate(lines):
        found = re.fullmatch(r"\*\*(.+?)\*\*::\s*|(.+?): ::\s*", line.strip())
        if not found:
            continue
        title = (found.group(1) or found.group(2)).strip()
        body = []
        for following in lines[index + 1 :]:
            if following.strip() and not following.startswith((" ", "\t")):
                break
            body.append(following)
        blocks.append((title, textwrap.dedent("\n".join(body)).strip("\n") + "\n"))
    return blocks


def fix_bonded_vlan(block):
    out, inside = [], False
    for line in block.splitlines():
        if line.strip() == "- type: vlan":
            inside, indent = True, len(line) - len(line.lstrip()) + 2
            out.append(line)
            continue
        if inside and line.strip():
            line = " " * indent + line.lstrip() if not line.strip().startswith("- type: dhcp4") else line[2:]
        out.append(line)
    return "\n".join(out) + "\n"


def guest_nics(config, version):
    """mac -> guest name for every NIC the example configures."""
    nics, number = {}, [3]

    def by_mac(mac):
        nics[mac.lower()] = "ens%d" % number[0]
        number[0] += 1

    def by_name(name):
        nics["52:54:00:00:01:%02x" % (len(nics) + 1)] = name

    if version == 1:
        for entry in config.get("config", []):
            if entry.get("type") == "physical":
                by_mac(entry["mac_address"]) if entry.get("mac_address") else by_name(entry["name"])
    else:
        for key, value in (config.get("ethernets") or {}).items():
            match = (value or {}).get("match") or {}
            if match.get("macaddress"):
                by_mac(match["macaddress"])
            elif match.get("name") and not re.search(r"[*?\[]", match["name"]):
                by_name(match["name"])
            elif not match:
                by_name(key)
    return nics


def sample(title, block, version, source, number):
    document = yaml.safe_load(block)
    config = document.get("network", document)
    name = "doc-v%d-%s" % (version, re.sub(r"[^a-z0-9]+", "-", title.lower().replace(" example", "")).strip("-"))
    result = {
        "name": name,
        "format": "network-config-v%d" % version,
        "origin": {
            "repository": "https://github.com/canonical/cloud-init",
            "tag": TAG,
            "commit": COMMIT,
            "file": source,
            "example": title,
            "licence": LICENCE,
        },
        "guest_nics": guest_nics(config, version),
        "network_config": document,
    }
    if title in FIXES:
        result["origin"]["fixed"] = FIXES[title]
    refusal = AGENT_REFUSES.get("v%d %s" % (version, title.split(" ")[0].lower()))
    if refusal:
        result["agent_refuses"] = refusal
    return "%02d-%s" % (number, name), result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repo")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "samples-inputs"))
    parser.add_argument("--first", type=int, default=1)
    arguments = parser.parse_args()
    number = arguments.first
    written = []
    for version, source in ((1, V1), (2, V2)):
        for title, block in literal_blocks(show(arguments.repo, source)):
            if title in FIXES:
                block = fix_bonded_vlan(block)
            try:
                document = yaml.safe_load(block)
            except yaml.YAMLError:
                continue  # prose or partial snippets ("[...]")
            if not isinstance(document, dict) or "version" not in document.get("network", document):
                continue  # a fragment (one key's example), not a whole network config
            if version == 2 and not any(document["network"].get(group) for group in ("ethernets", "bonds", "bridges", "vlans")):
                continue  # `ethernets: []`: the empty example configures nothing
            file, result = sample(title.replace("This is a complex example which shows most available features", "complex"), block, version, source, number)
            with open(os.path.join(arguments.out, file + ".json"), "w") as handle:
                json.dump(result, handle, indent=2)
                handle.write("\n")
            written.append(file)
            number += 1
    print("\n".join(written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
