#!/usr/bin/env bash
# Why a release agent would link ICU's data (issue 12). Expected today: "no ICU member
# linked" and no corelibs Foundation symbol (the agent's targets import FoundationEssentials
# only; scripts/check-static-binary.sh enforces it). When that breaks, this relinks the static
# release build with a linker map, prints the chain of archive members that brought ICU in (the first reference
# of each, as the linker records it), then every symbol of corelibs Foundation (the module
# `Foundation`, libFoundation.a, not FoundationEssentials) that the agent's own object files
# reference, with the files. Any one of those is enough: libFoundation.a's members reference
# each other (NSObject -> NSClassFromString -> ... -> DateFormatter -> NSCalendar -> ICU), so a
# program whose only Foundation call is `NSLock()` links all 34 MB of ICU data, while one
# that uses JSONDecoder (FoundationEssentials) does not.
#
# Usage: bench/why-icu.sh   (from the package root; takes a release link, about 1-2 minutes)
set -euo pipefail
map=$(mktemp /tmp/guest-agent-map-XXXXXX)
trap 'rm -f "$map" "$map.log"' EXIT
if ! swift build -c release --static-swift-stdlib --product guest-agent -Xlinker -Map="$map" >"$map.log" 2>&1; then
    cat "$map.log" >&2
    exit 1
fi
release=$(swift build -c release --show-bin-path)

echo "== how ICU got in (each member, and the file and symbol that made the linker take it)"
python3 - "$map" <<'PY'
import re, sys
included, current = {}, None
for line in open(sys.argv[1]).read().split("\n")[1:]:
    if line.startswith(("Allocating common", "Discarded", "Memory map")):
        break
    if line and not line.startswith(" "):
        current = line.strip()
    elif current and (match := re.match(r"\s+(\S+) \((.*)\)$", line)):
        included[current] = match.groups()
short = lambda path: re.sub(r".*/(lib[^/]*\.a\(|[^/]*\.build/)", r"\1", path)
member = next((name for name in included if "_FoundationICU" in name), None)
if member is None:
    print("no ICU member linked")
while member in included:
    source, symbol = included[member]
    print(f"{short(member)}\n    <- {short(source)}: {symbol[:160]}")
    member = source
PY

echo
echo "== corelibs Foundation symbols the agent's targets reference (replace them all to drop ICU)"
calls=$(for target in GuestAgent Plugins DataSources PasswordCrypto; do
    for object in "$release/$target.build"/*.o; do
        { nm -u "$object" | awk '{ print $2 }' | grep -E '10Foundation|So[0-9]+NS' || true; } \
            | sed "s|\$|\t$(basename "$object" .swift.o)|"
    done
done | sort | awk -F'\t' '{ files[$1] = files[$1] " " $2 } END { for (s in files) print s ":" files[s] }' \
    | swift demangle --simplified | sort)
echo "${calls:-none}"
