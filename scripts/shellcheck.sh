#!/usr/bin/env bash
# ShellCheck on every shell script in the repository: tracked *.sh files and tracked files
# whose first line is a sh or bash shebang (.ci/run, the package's maintainer scripts,
# user-data fixtures). Run by scripts/test.sh; `-x` follows the `source` lines.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts=()
while IFS= read -r -d '' file; do
    [ -f "$file" ] || continue
    case "$file" in
    *.sh) scripts+=("$file") ;;
    *) head -n1 "$file" | grep -qE '^#!.*(/|env )(ba)?sh( |$)' && scripts+=("$file") ;;
    esac
done < <(git ls-files -z)
shellcheck -x "${scripts[@]}"
echo "shellcheck: ${#scripts[@]} scripts clean"
