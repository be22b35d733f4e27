#!/usr/bin/env bash
# Checks that a guest-agent binary, as shipped (static Swift runtime, stripped or not), links
# neither FoundationNetworking nor ICU's data (issue 12), and runs on glibc GLIBC_FLOOR (2.34:
# RHEL 9, Amazon Linux 2023, Ubuntu 22.04; issue 26): no glibc symbol version above it and
# no packed relative relocations (DT_RELR needs 2.36, and lld records no version need for
# it). Exit 0 when clean; exit 1 with one line per finding otherwise; exit 64 on bad usage.
#
# Usage: scripts/check-static-binary.sh [--allow-icu-data] BINARY
#        scripts/check-static-binary.sh --print-glibc-floor   (prints the floor, for packaging)
#   --allow-icu-data  report ICU data as a warning instead of failing. The agent no longer
#                     needs it (its targets import FoundationEssentials only; any corelibs
#                     Foundation call would bring FoundationInternationalization and _FoundationICU
#                     with ~34 MB of ICU data; bench/why-icu.sh): packaging/build-deb.sh does not
#                     pass it. Kept for checking other binaries while they are being moved.
#
# How it decides, for a binary with or without a symbol table (strip removes it):
# - dynamic dependencies (`readelf -d` NEEDED): libFoundationNetworking.so, libFoundation*.so,
#   lib_FoundationICU.so or libicu*.so mean the Swift libraries were not linked statically, or
#   that they were and pull ICU from the system.
# - FoundationNetworking: with symbols, any Swift symbol of the module (mangled prefix
#   `$s20FoundationNetworking`). Without symbols, strings only FoundationNetworking contains:
#   the mangled module prefix `20FoundationNetworking` in its reflection metadata and the names
#   of its URL protocol classes (`_HTTPURLProtocol`, `_NativeProtocol`). The bare word
#   "FoundationNetworking" is NOT a marker: Foundation itself names it (class-name tables for
#   NSStringFromClass, `_InputStreamSPIForFoundationNetworkingUseOnly`).
# - ICU data: with symbols, the `icudtNN_dat` blob. Without symbols, the item names of ICU's
#   common data table of contents (`icudt76l-curr`, `icudt76l-zone`, ...), which exist only in it.
#
# Negative control (run by hand when changing the markers; not committed, it needs a scratch
# package): a package whose executable does `import FoundationNetworking` and uses URLSession,
# built with `swift build -c release --static-swift-stdlib` and stripped, must make this
# script exit 1 naming FoundationNetworking and ICU data, stripped and unstripped; a C
# "hello world" (`cc -o hello hello.c`) must pass.
set -euo pipefail

GLIBC_FLOOR=2.34
if [ "${1:-}" = "--print-glibc-floor" ]; then
    echo "$GLIBC_FLOOR"
    exit 0
fi
allow_icu=0
if [ "${1:-}" = "--allow-icu-data" ]; then
    allow_icu=1
    shift
fi
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
    echo "usage: $0 [--allow-icu-data] BINARY (an ELF file)" >&2
    exit 64
fi
binary=$1
for tool in readelf nm strings objdump; do
    command -v "$tool" >/dev/null || { echo "$0: $tool is missing (apt-get install binutils)" >&2; exit 64; }
done
if ! readelf -h "$binary" >/dev/null 2>&1; then
    echo "$0: $binary is not an ELF file" >&2
    exit 64
fi

failures=0
fail() { echo "FAIL: $binary: $*"; failures=$((failures + 1)); }

needed=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
for library in $needed; do
    case "$library" in
        libFoundationNetworking*) fail "needs $library (FoundationNetworking, linked dynamically)" ;;
        libFoundation*.so* | lib_Foundation*.so*) fail "needs $library (Foundation not linked statically)" ;;
        libicu*.so*) fail "needs $library (ICU)" ;;
    esac
done

# The glibc floor: every GLIBC_x.y version the binary needs (readelf -V, its version needs)
# and no DT_RELR, which an older loader ignores (the program then crashes at its first pointer).
newest=$(readelf -V "$binary" | grep -o 'Name: GLIBC_[0-9][0-9.]*' | sed 's/Name: GLIBC_//' | sort -V | tail -1)
if [ -n "$newest" ] && [ "$(printf '%s\n%s\n' "$newest" "$GLIBC_FLOOR" | sort -V | tail -1)" != "$GLIBC_FLOOR" ]; then
    fail "needs GLIBC_$newest, above the floor $GLIBC_FLOOR (e.g. $(objdump -T "$binary" | grep -m1 "GLIBC_$newest" | awk '{ print $NF }'))"
fi
readelf -d "$binary" | grep -q '(RELR)' && fail "has packed relative relocations (DT_RELR: glibc 2.36 or later only)"

# One pass over each listing: big binaries make these slow, so keep the output, not the tool.
symbols=$(nm "$binary" 2>/dev/null || true)
if [ -n "$symbols" ]; then
    # A literal "$s20FoundationNetworking" (the mangled prefix), hence single quotes.
    # shellcheck disable=SC2016
    networking=$(grep -c '\$s20FoundationNetworking' <<<"$symbols" || true)
    # shellcheck disable=SC2016
    [ "$networking" -gt 0 ] && fail "links FoundationNetworking ($networking symbols, e.g. $(grep -m1 -o '\$s20FoundationNetworking[A-Za-z0-9_]*' <<<"$symbols"))"
    icu=""
    read -r _ size _ name < <(grep -m1 -E ' icudt[0-9]+_dat$' <<<"$(nm -S "$binary")") || true
    [ -n "${name:-}" ] && icu="$name ($((16#$size / 1000000)) MB)"
else
    text=$(strings -n 8 "$binary")
    networking=$(grep -m1 -o -E '20FoundationNetworking|_HTTPURLProtocol|_NativeProtocol' <<<"$text" || true)
    [ -n "$networking" ] && fail "links FoundationNetworking (stripped; found \"$networking\")"
    icu=$(grep -m1 -o -E '^icudt[0-9]+l-[a-z]+' <<<"$text" || true)
    [ -n "$icu" ] && icu="ICU data (stripped; found the table-of-contents item \"$icu\")"
fi
if [ -n "$icu" ]; then
    if [ "$allow_icu" = 1 ]; then
        echo "WARNING: $binary: links ICU data: $icu (allowed by --allow-icu-data)"
    else
        fail "links ICU data: $icu"
    fi
fi

if [ "$failures" -gt 0 ]; then
    exit 1
fi
echo "OK: $binary links neither FoundationNetworking nor ICU data, runs on glibc $GLIBC_FLOOR (needs GLIBC_${newest:-none})$([ "$allow_icu" = 1 ] && [ -n "$icu" ] && echo " (ICU data allowed)")"
