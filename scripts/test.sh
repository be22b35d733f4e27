#!/usr/bin/env bash
# The test command: builds everything (the tests run the built guest-agent and
# mock-metadata-server binaries) and runs every suite. Tests that need root skip with a
# message when not root; CI runs as root.
set -euo pipefail
cd "$(dirname "$0")/.."
# Style first: the configuration is .swift-format (4 spaces, 120 columns); fix with
# `swift format format -i -r Sources Tests Package.swift`.
swift format lint --strict -r --parallel Sources Tests Package.swift
./scripts/shellcheck.sh
swift build --build-tests
# Serial on purpose: many tests block a thread while a real tool or the built agent runs,
# and in parallel they starve the Swift concurrency pool that the deadline and timeout
# tests measure (observed: a 5 s discovery deadline passing before a task was scheduled).
swift test --skip-build --no-parallel "$@"
