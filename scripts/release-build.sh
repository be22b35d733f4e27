#!/usr/bin/env bash
# The shipped build of guest-agent, in one place (packaging/build-deb.sh and bench/peers.sh
# use it): prints the path of the release binary on the last line of standard output.
#
# - --static-swift-stdlib: the Swift runtime is linked in (no image has the toolchain);
# - -Osize: the agent waits on disks, tools and the network, never on its own code, and
#   every page of code a boot touches is resident memory (README, "Performance");
# - lld, without packed relative relocations (-z pack-relative-relocs): RELR would save
#   1.2 MB of .rela.dyn but needs glibc 2.36, and the binary must run on 2.34 (RHEL 9,
#   Amazon Linux 2023, Ubuntu 22.04); scripts/check-static-binary.sh enforces that floor;
# (not --icf=all: folding identical functions saves 0.3 MB but breaks code that compares
# function or constant addresses, which C in BoringSSL may do; --icf=safe folds nothing
# without the compiler's address-significance tables.)
# - --wrap=hypotf: the one symbol above 2.34 (hypotf@GLIBC_2.35, from Foundation) is bound
#   to its GLIBC_2.2.5 version instead (Sources/CGlibcFloor);
# - --disable-local-rpath: no RUNPATH $ORIGIN (nothing is loaded from beside the binary;
#   rpmlint and lintian flag a RUNPATH in /usr/bin);
# - -z now: every symbol bound at start, so the GOT is read-only after it (hardening);
# - --symbol-ordering-file=packaging/text-order.txt: the functions a first boot runs,
#   together at the start of .text (bench/text-order.sh writes the list from a profile of
#   a run): the kernel maps code in 64 KiB blocks, so scattered code is resident code;
# - --version-script=packaging/no-exports.map: the executable exports no symbols.
# Extra arguments go to `swift build` (e.g. -Xlinker -Map=FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
flags=(
    -c release --static-swift-stdlib --disable-local-rpath -Xswiftc -Osize
    -Xswiftc -use-ld=lld -Xlinker -z -Xlinker now
    -Xlinker --symbol-ordering-file="$PWD/packaging/text-order.txt" -Xlinker --no-warn-symbol-ordering
    -Xlinker --version-script="$PWD/packaging/no-exports.map"
    -Xlinker --wrap=hypotf
)
swift build "${flags[@]}" --product guest-agent "$@" >&2
# The extra arguments here too: a --scratch-path moves the binary.
echo "$(swift build "${flags[@]}" "$@" --show-bin-path)/guest-agent"
