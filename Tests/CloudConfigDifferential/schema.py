#!/usr/bin/python3
"""cloud-init 22.4.2's own verdict on cloud-config documents: its JSON schema
(schema-cloud-config-v1.json) applied by its own validator, from its Debian package unpacked
(never installed; Tests/NetworkDifferential/reference.py fetches and unpacks it).

    schema.py verdicts [--documents DIR] [--cache DIR]
        prints a JSON list, one entry per document: cloud-init's module examples (the
        `examples` of every cc_*.py module's `meta`, named "example:<module>:<n>") and each
        DIR/*.yaml, with
          "name", "text" (the document as given),
          "errors": [[path, message], ...] (schema errors; deprecations are not errors),
          "yaml_error": why cloud-init's YAML loader refused it (then no errors).

Needs Debian's /usr/bin/python3 with python3-yaml, python3-jsonschema, python3-jsonpatch,
python3-configobj and python3-requests (what cloud-init's modules import).
"""

import argparse
import importlib
import json
import os
import pkgutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "NetworkDifferential"))
sys.dont_write_bytecode = True

import reference  # noqa: E402


def examples():
    """(name, text) of every example cloud-init's modules document."""
    import cloudinit.config as modules

    found = []
    for module in pkgutil.iter_modules(modules.__path__):
        if not module.name.startswith("cc_"):
            continue
        meta = getattr(importlib.import_module("cloudinit.config." + module.name), "meta", {})
        for index, text in enumerate(meta.get("examples", [])):
            found.append(("example:%s:%d" % (module.name[3:], index), text))
    return found


def verdict(name, text):
    from cloudinit import safeyaml
    from cloudinit.config.schema import SchemaDeprecationError, get_jsonschema_validator, get_schema

    entry = {"name": name, "text": text, "errors": []}
    try:
        config = safeyaml.load(text)
    except Exception as error:  # cloud-init's loader: any failure is a refusal
        entry["yaml_error"] = str(error).splitlines()[0]
        return entry
    if config is None:
        config = {}
    if not isinstance(config, dict):
        entry["yaml_error"] = "not a mapping"
        return entry
    validator_class, format_checker = get_jsonschema_validator()
    validator = validator_class(get_schema(), format_checker=format_checker())
    for error in sorted(validator.iter_errors(config), key=lambda e: [str(p) for p in e.path]):
        if isinstance(error, SchemaDeprecationError):
            continue
        entry["errors"].append([".".join(str(p) for p in error.path), error.message])
    return entry


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("verdicts")
    run.add_argument("--documents")
    run.add_argument("--cache", default=None)
    args = parser.parse_args()
    packages = reference.prepare(args.cache or reference.default_cache())
    if packages not in sys.path:
        sys.path.insert(0, packages)
    documents = examples()
    if args.documents:
        for file in sorted(os.listdir(args.documents)):
            if file.endswith(".yaml"):
                with open(os.path.join(args.documents, file)) as handle:
                    documents.append((file[: -len(".yaml")], handle.read()))
    json.dump([verdict(name, text) for name, text in documents], sys.stdout, indent=1)


if __name__ == "__main__":
    main()
