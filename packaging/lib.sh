# shellcheck shell=bash
# What packaging/build-deb.sh and packaging/build-rpm.sh share: the release binary, its
# checks, the conffile and the man page. Sourced from the repository's top folder; each
# function prints nothing on standard output but what it is asked for.

pkg_say() { echo "$PKG_NAME: $*" >&2; }

# The options both packagers take: --binary PATH (or $GUEST_AGENT_BINARY), --output DIR
# (default dist/) and --help, which prints the calling script's header: its lines 2 to
# HELP_LAST. Sets the globals `binary` and `output`.
# shellcheck disable=SC2034 # binary and output are read by the script that sources this file
pkg_arguments() {
    local help_last=$1
    shift
    binary=${GUEST_AGENT_BINARY:-}
    output=$PWD/dist
    while [ $# -gt 0 ]; do
        case "$1" in
        --binary) binary=$2; shift 2 ;;
        --output) output=$2; shift 2 ;;
        -h | --help) sed -n "2,${help_last}p" "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "$PKG_NAME: unknown argument '$1' (see --help)" >&2; exit 64 ;;
        esac
    done
}

# The release binary to package: PATH if given, else the one scripts/release-build.sh builds.
# Refuses a debug build (it links the Swift runtime from the toolchain, which no image has).
pkg_binary() {
    local binary=$1
    if [ -z "$binary" ]; then
        pkg_say "scripts/release-build.sh (the static release build; 20+ minutes on 2 cores from clean)"
        binary=$(scripts/release-build.sh | tail -1)
    fi
    [ -x "$binary" ] || { echo "$PKG_NAME: no executable at '$binary'" >&2; exit 66; }
    if readelf -d "$binary" | grep -q 'NEEDED.*libswiftCore'; then
        echo "$PKG_NAME: '$binary' links libswiftCore dynamically: package the static release build" >&2
        exit 65
    fi
    echo "$binary"
}

# The upstream version the binary reports (`guest-agent version`).
pkg_upstream_version() {
    local line version
    line=$("$1" version)
    version=${line#guest-agent }
    [[ "$version" =~ ^[0-9][0-9A-Za-z.+~]*$ ]] || {
        echo "$PKG_NAME: '$1 version' printed '$line', not 'guest-agent VERSION'" >&2
        exit 65
    }
    echo "$version"
}

# Installs BINARY stripped (as dh_strip and rpm's brp-strip do) at DEST, then checks it:
# no FoundationNetworking, no ICU data, glibc floor (scripts/check-static-binary.sh).
pkg_install_binary() {
    local binary=$1 dest=$2
    install -m 0755 "$binary" "$dest"
    strip --remove-section=.comment --remove-section=.note --strip-unneeded "$dest"
    scripts/check-static-binary.sh "$dest" >&2
}

# The conffile: `guest-agent sample-config` with every key commented out, so the defaults
# built into the binary apply until an administrator uncomments a line.
pkg_conffile() {
    local binary=$1 dest=$2
    "$binary" sample-config | sed -E 's/^([a-z_0-9]+ =)/# \1/' >"$dest"
    if grep -Eq '^[a-z_0-9]+ *=' "$dest"; then
        echo "$PKG_NAME: a key in the sample configuration was left uncommented" >&2
        exit 70
    fi
    chmod 0644 "$dest"
}

# The man page guest-agent.1.gz at DEST, from the ArgumentParser definitions: swift-argument-
# parser's generate-manual tool reads `guest-agent --experimental-dump-help`. This is what
# `swift package plugin generate-manual` runs (offline here, the same page, date aside),
# minus the plugin's build of every product, mock server included, in release mode first.
pkg_man_page() {
    local binary=$1 dest=$2 work
    work=$(mktemp -d /tmp/guest-agent-man-XXXXXX)
    pkg_say "man page: generate-manual (swift-argument-parser)"
    swift build --product generate-manual >"$work/build.log" 2>&1 || {
        cat "$work/build.log" >&2
        rm -rf "$work"
        exit 70
    }
    "$(swift build --show-bin-path)/generate-manual" "$binary" --output-directory "$work" \
        --date "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)" --section 1 >&2
    [ -s "$work/guest-agent.1" ] || { echo "$PKG_NAME: generate-manual wrote no guest-agent.1" >&2; exit 70; }
    gzip -9n -c "$work/guest-agent.1" >"$dest"
    chmod 0644 "$dest"
    rm -rf "$work"
}
