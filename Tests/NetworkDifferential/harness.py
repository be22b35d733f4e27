#!/usr/bin/python3
"""The network differential harness: the agent's rendering of each sample against
cloud-init 22.4.2's, by meaning, per renderer (eni, netplan, networkd, networkmanager).

    harness.py prepare [--cache DIR]
        fetch (apt-get download) and unpack (dpkg -x) cloud-init's Debian package; print
        where its Python modules are.
    harness.py check --agent DIR [--work DIR] [--cache DIR] [--samples DIR] [--decisions FILE]
        DIR/<sample>/<renderer>/ is a root the agent rendered the sample into (the Swift test
        NetworkDifferentialTests makes them). Samples are network_data.json, network config
        v1 or v2, or ENI text (`format`); one cloud-init is known to refuse says so
        (`cloud_init_refuses`) and is checked to be refused, not compared. Renders cloud-init's files for the same sample
        and renderer under WORK, reads both with the backend's parser, and compares:
        - the agent against cloud-init's network config v1 (its network state): every
          difference must be a documented decision (decisions.json), else the check fails;
        - the agent against cloud-init's rendered files: each difference is explained, as a
          decision or as cloud-init's renderer not writing what its own v1 config says;
        - where the sample keeps test_net.py's expected output for the renderer (`expected`),
          that output against cloud-init's rendered files: they must mean the same (else
          a failure), so the explanations hold for test_net.py's expected outputs as well.
        Prints one line per sample and renderer, then the explanations; exit 1 on any
        undocumented difference.
    harness.py reference --out DIR [--cache DIR] [--samples DIR]
        only cloud-init's files, DIR/<sample>/<renderer>/, for reading.
"""

import argparse
import ipaddress
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
# No __pycache__ in the source tree (nor in the unpacked cloud-init, a shared cache).
sys.dont_write_bytecode = True

import backends  # noqa: E402
import netmodel  # noqa: E402
import reference  # noqa: E402


def samples(directory):
    result = []
    for name in sorted(os.listdir(directory)):
        if name.endswith(".json"):
            with open(os.path.join(directory, name)) as handle:
                sample = json.load(handle)
            sample["id"] = name[: -len(".json")]
            result.append(sample)
    return result


def decisions(path):
    with open(path) as handle:
        return json.load(handle)["decisions"]


def covering(difference, renderer, entries, form="network_data.json", meaning=None):
    """The decision that documents `difference` on `renderer` for a sample of format `form`:
    "field" (one or a list), "renderers", and optionally "kinds" (the first word of the
    model's key), "formats" (sample formats; network_data.json when absent), "agent" and
    "reference" (the exact values), "differs_only_in" (for a mapping field: the sub-keys
    that may differ, all others equal), "agent_lacks_only" (for a list field: the agent's
    list is the reference's without some items, each passing the named check against the
    reference `meaning`)."""
    key, field, mine, theirs = difference
    for entry in entries:
        fields = entry["field"] if isinstance(entry["field"], list) else [entry["field"]]
        if field not in fields or renderer not in entry["renderers"]:
            continue
        if form not in entry.get("formats", ["network_data.json"]):
            continue
        # "kinds": the first word of the model's key (nic, bond, vlan, bridge, name, network).
        if "kinds" in entry and key.split(" ")[0] not in entry["kinds"]:
            continue
        if "differs_only_in" in entry:
            if not isinstance(mine, dict) or not isinstance(theirs, dict):
                continue
            allowed = set(entry["differs_only_in"])
            if any(mine.get(k) != theirs.get(k) for k in set(mine) | set(theirs) if k not in allowed):
                continue
        if "agent_lacks_only" in entry:
            allowed = LACKS[entry["agent_lacks_only"]]
            if not isinstance(mine, list) or not isinstance(theirs, list) or not set(mine) <= set(theirs):
                continue
            if meaning is None or not all(allowed(item, meaning) for item in set(theirs) - set(mine)):
                continue
        if "agent" in entry and entry["agent"] != mine:
            continue
        if "reference" in entry and entry["reference"] != theirs:
            continue
        return entry
    return None


def via_unreachable_gateway(route, meaning):
    """A route "destination via gateway" whose gateway is in no address's network of the
    reference (so the kernel would refuse it)."""
    gateway = ipaddress.ip_address(route.split(" via ", 1)[1].split(" ")[0])
    networks = [
        ipaddress.ip_interface(address).network
        for interface in meaning["interfaces"].values()
        for address in interface["addresses"]
    ]
    return gateway.is_link_local is False and not any(gateway in network for network in networks)


# The named checks an "agent_lacks_only" decision may use.
LACKS = {"routes-via-unreachable-gateways": via_unreachable_gateway}


def show(value):
    return json.dumps(value, sort_keys=True)


def check(arguments):
    packages = reference.prepare(arguments.cache)
    reference.load(packages)
    entries = decisions(arguments.decisions)
    used = set()
    failures = 0
    lines, notes = [], []
    summary = {}
    checked_expected = 0
    for sample in samples(arguments.samples):
        if sample.get("agent_refuses"):
            # The Swift test checks that the agent refuses it, naming the field.
            lines.append("%s: the agent refuses it on purpose (%s)" % (sample["id"], sample["agent_refuses"]["why"]))
            continue
        refused = reference_refusal(sample)
        if refused is not None:
            failures += refused[0]
            lines.append("%s: %s" % (sample["id"], refused[1]))
            continue
        config = reference.v1_config(sample)
        meaning = reference.meaning(config)
        for renderer in backends.RENDERERS:
            parse = backends.parsers()[renderer]
            agent_root = os.path.join(arguments.agent, sample["id"], renderer)
            label = "%s %s" % (sample["id"], renderer)
            if not os.path.isdir(agent_root):
                lines.append("%s: NO AGENT OUTPUT (%s)" % (label, agent_root))
                failures += 1
                continue
            theirs_root = os.path.join(arguments.work, sample["id"], renderer)
            reference.render(config, renderer, theirs_root)
            mine = parse(agent_root, sample["guest_nics"])
            theirs = parse(theirs_root, sample["guest_nics"])
            expected = sample.get("expected", {}).get(renderer)
            if expected is not None:
                # test_net.py's own expected output must mean what cloud-init's renderer wrote
                # here: then every note below on cloud-init's files holds for it too.
                expected_root = os.path.join(arguments.work, sample["id"], renderer + "-expected")
                reference.write_expected(expected, renderer, expected_root)
                mismatch = netmodel.differences(theirs, parse(expected_root, sample["guest_nics"]))
                failures += len(mismatch)
                checked_expected += 0 if mismatch else 1
                for key, field, left, right in mismatch:
                    lines.append(
                        "%s: EXPECTED OUTPUT DIFFERS %s %s: cloud-init's file %s, test_net.py's %s"
                        % (label, key, field, show(left), show(right)))
            documented, undocumented = [], []
            for difference in netmodel.differences(mine, meaning):
                entry = covering(difference, renderer, entries, sample["format"], meaning)
                if entry:
                    used.add(entry["id"])
                    documented.append(entry["id"])
                else:
                    undocumented.append(difference)
            failures += len(undocumented)
            if undocumented:
                status = "DIFFERENT"
            elif documented:
                status = "same, except documented: %s" % ", ".join(sorted(set(documented)))
            else:
                status = "same"
            summary.setdefault(sample["id"], {})[renderer] = status
            lines.append("%s: %s" % (label, status))
            for key, field, left, right in undocumented:
                lines.append("    %s %s: agent %s, cloud-init v1 %s" % (key, field, show(left), show(right)))
            for difference in netmodel.differences(mine, theirs):
                key, field, left, right = difference
                v1 = next((d for d in netmodel.differences(theirs, meaning) if d[:2] == (key, field)), None)
                if v1 is not None:
                    why = "cloud-init's %s file does not say what its v1 config says (%s)" % (renderer, show(v1[3]))
                else:
                    entry = covering(difference, renderer, entries, sample["format"], meaning)
                    why = "documented: %s" % entry["id"] if entry else "see above"
                notes.append(
                    "%s %s %s: agent %s, cloud-init's file %s; %s" % (label, key, field, show(left), show(right), why)
                )
    print("Agent against cloud-init %s's network config v1, by meaning:" % reference.VERSION)
    print("\n".join(lines))
    print("\nAgent against cloud-init's rendered files, each difference explained:")
    print("\n".join(notes) if notes else "(none)")
    unused = [entry["id"] for entry in entries if entry["id"] not in used]
    if unused:
        print("\nDecisions no sample needed (kept for other inputs): %s" % ", ".join(unused))
    if arguments.json:
        with open(arguments.json, "w") as handle:
            json.dump({"summary": summary, "failures": failures}, handle, indent=2)
    print(
        "\n%d expected outputs of test_net.py mean what cloud-init's renderers wrote here, so the"
        " notes above hold for them" % checked_expected)
    print("\n%d undocumented difference(s)" % failures)
    return 1 if failures else 0


def reference_refusal(sample):
    """For a sample cloud-init is known to refuse (`cloud_init_refuses`: the text its error
    must contain, with `why`): (failures, line). None for every other sample. A refusal that
    no longer happens, or another error, is a failure: the sample's note is then stale."""
    expected = sample.get("cloud_init_refuses")
    if expected is None:
        return None
    try:
        reference.meaning(reference.v1_config(sample))
    except Exception as error:  # noqa: BLE001 - cloud-init raises what it raises
        if expected["error"] in str(error):
            return 0, "cloud-init refuses it (%s), the agent accepts it: documented, %s" % (error, expected["why"])
        return 1, "CLOUD-INIT FAILED OTHERWISE: %s (expected %r)" % (error, expected["error"])
    return 1, "CLOUD-INIT ACCEPTS IT, but the sample says it refuses it (%r)" % expected["error"]


def render_reference(arguments):
    reference.load(reference.prepare(arguments.cache))
    for sample in samples(arguments.samples):
        if sample.get("cloud_init_refuses") or sample.get("agent_refuses"):
            continue
        config = reference.v1_config(sample)
        for renderer in backends.RENDERERS:
            reference.render(config, renderer, os.path.join(arguments.out, sample["id"], renderer))
        with open(os.path.join(arguments.out, sample["id"], "v1.json"), "w") as handle:
            json.dump(config, handle, indent=2)
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("prepare", "check", "reference"):
        command = commands.add_parser(name)
        command.add_argument("--cache", default=None)
        command.add_argument("--samples", default=os.path.join(HERE, "samples"))
        if name == "check":
            command.add_argument("--agent", required=True)
            command.add_argument("--work", required=True)
            command.add_argument("--decisions", default=os.path.join(HERE, "decisions.json"))
            command.add_argument("--json", default=None)
        if name == "reference":
            command.add_argument("--out", required=True)
    arguments = parser.parse_args()
    arguments.cache = arguments.cache or reference.default_cache()
    if arguments.command == "prepare":
        print(reference.prepare(arguments.cache))
        return 0
    if arguments.command == "reference":
        return render_reference(arguments)
    return check(arguments)


if __name__ == "__main__":
    sys.exit(main())
