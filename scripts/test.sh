#!/usr/bin/env bash
# The test command: builds everything (the tests run the built guest-agent and
# mock-metadata-server binaries) and runs every suite. Tests that need root skip with a
# message when not root; CI runs as root.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build "$@"
