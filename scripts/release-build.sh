#!/usr/bin/env bash
# The shipped build of guest-agent, in one place (packaging/build-deb.sh and bench/peers.sh
# use it): prints the path of the release binary on the last line of standard output.
#
# - --static-swift-stdlib: the Swift runtime is linked in (no image has the toolchain);
# - -Osize: the agent waits on disks, tools and the network, never on its own code, and
#   every page of code a boot touches is resident memory (README, "Performance");
# - lld with -z pack-relative-relocs: the 53,000 relative relocations of a position-
#   independent Swift binary take 10 KB as RELR instead of 1.2 MB of .rela.dyn that the
#   loader reads at every start (needs glibc 2.36, Debian 12's; lld records no version need
#   for it, so packaging/build-deb.sh raises the libc6 dependency);
# (not --icf=all: folding identical functions saves 0.3 MB but breaks code that compares
# function or constant addresses, which C in BoringSSL may do; --icf=safe folds nothing
# without the compiler's address-significance tables.)
# - -z now: every symbol bound at start, so the GOT is read-only after it (hardening);
# - --symbol-ordering-file=packaging/text-order.txt: the functions a first boot runs,
#   together at the start of .text (bench/text-order.sh writes the list from a profile of
#   a run): the kernel maps code in 64 KiB blocks, so scattered code is resident code;
# - --version-script=packaging/no-exports.map: the executable exports no symbols.
# Extra arguments go to `swift build` (e.g. -Xlinker -Map=FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
flags=(
    -c release --static-swift-stdlib -Xswiftc -Osize
    -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs -Xlinker -z -Xlinker now
    -Xlinker --symbol-ordering-file="$PWD/packaging/text-order.txt" -Xlinker --no-warn-symbol-ordering
    -Xlinker --version-script="$PWD/packaging/no-exports.map"
)
swift build "${flags[@]}" --product guest-agent "$@" >&2
echo "$(swift build "${flags[@]}" --show-bin-path)/guest-agent"
