#!/usr/bin/env bash
# Builds the RPM of the same static release binary as the .deb: guest-agent-VERSION-1.x86_64.rpm,
# with rpmbuild (Debian's `rpm` package), from packaging/rpm/guest-agent.spec. Then lists it
# (`rpm -qlp`) and lints it (rpmlint; errors fail the build).
#
#   packaging/build-rpm.sh                       # builds the release binary, then the .rpm
#   packaging/build-rpm.sh --binary PATH         # packages an existing release build
#   packaging/build-rpm.sh --output DIR          # where the .rpm goes (default dist/)
#
# It prints the .rpm's path on the last line of standard output.
# Contents: /usr/bin/guest-agent (stripped), both units in /usr/lib/systemd/system (enabled by
# %post, never started), /etc/guest-agent/agent.conf as %config(noreplace) (every key
# commented out, as in the .deb), the man page, README.md and the LICENSE.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

PKG_NAME=build-rpm
# shellcheck source=packaging/lib.sh
source packaging/lib.sh
pkg_arguments 13 "$@"
command -v rpmbuild >/dev/null || { echo "build-rpm.sh: rpmbuild is missing (apt-get install rpm)" >&2; exit 69; }

binary=$(pkg_binary "$binary")
# RPM versions may not hold '-'; the agent's never does (pkg_upstream_version checks the rest).
version=$(pkg_upstream_version "$binary")
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

work=$(mktemp -d /tmp/guest-agent-rpm-XXXXXX)
trap 'rm -rf "$work"' EXIT
staged=$work/staged
umask 022
mkdir -p "$staged/usr/bin" "$staged/usr/lib/systemd/system" "$staged/etc/guest-agent" \
    "$staged/usr/share/man/man1" "$work/top"

pkg_install_binary "$binary" "$staged/usr/bin/guest-agent"
install -m 0644 packaging/guest-agent-local.service packaging/guest-agent.service "$staged/usr/lib/systemd/system/"
pkg_conffile "$binary" "$staged/etc/guest-agent/agent.conf"
pkg_man_page "$binary" "$staged/usr/share/man/man1/guest-agent.1.gz"
# %license and %doc take these from the build directory.
mkdir -p "$work/top/BUILD"
install -m 0644 LICENSE README.md "$work/top/BUILD/"

pkg_say "rpmbuild"
rpmbuild -bb --quiet \
    --define "_topdir $work/top" --define "_builddir $work/top/BUILD" \
    --define "_unitdir /usr/lib/systemd/system" \
    --define "upstream_version $version" --define "rpm_release ${RPM_RELEASE:-1}" \
    --define "glibc_floor $(scripts/check-static-binary.sh --print-glibc-floor)" \
    --define "staged $staged" \
    --define "use_source_date_epoch_as_buildtime 1" --define "clamp_mtime_to_source_date_epoch 1" \
    packaging/rpm/guest-agent.spec >&2
rpm=$(find "$work/top/RPMS" -name 'guest-agent-*.rpm' | head -1)
[ -n "$rpm" ] || { echo "build-rpm.sh: rpmbuild made no package" >&2; exit 70; }
mkdir -p "$output"
cp "$rpm" "$output/"
rpm="$output/$(basename "$rpm")"

pkg_say "rpm -qlp $rpm"
rpm -qlp "$rpm" >&2
if [ "${RPMLINT:-1}" != 0 ] && command -v rpmlint >/dev/null; then
    pkg_say "rpmlint $rpm"
    rpmlint -r packaging/rpm/rpmlintrc "$rpm" >&2 || {
        echo "build-rpm.sh: rpmlint reported errors (above)" >&2
        exit 70
    }
fi
echo "$rpm"
