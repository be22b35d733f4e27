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
# In parallel: no test holds a thread of the Swift concurrency pool while a program runs
# (TestSupport's `Program.run` awaits it), tests that compute for seconds or time deadlines
# run on threads of their own (`OwnThreadTrait`), and `Slots` bounds how many programs and
# such tests run at once, so that the pool's queue is short and what the tests time is the
# agent's own time (issue 23).
swift test --skip-build --parallel "$@"
