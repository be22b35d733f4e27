# shellcheck shell=bash
# Shared helpers for scripts/first-boot-test.sh: messages, phase timing, failure, and a
# cleanup stack that the EXIT trap unwinds in reverse order (namespaces, mounts, loop
# devices), so a failing check leaves nothing behind.

FB_CLEANUP=()

# Prints a section header.
fb_say() { printf '== %s\n' "$*"; }

# Stops the test: the message names what failed.
fb_fail() {
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}

# Records a passed check.
fb_ok() { printf '  ok: %s\n' "$*"; }

# Runs "$@" as a check: fails with the message when it exits non-zero.
fb_check() {
    local message=$1
    shift
    if "$@"; then fb_ok "$message"; else fb_fail "$message"; fi
}

# Registers a cleanup command (a string evaluated at exit, last registered first).
fb_on_exit() { FB_CLEANUP+=("$1"); }

# Runs every registered cleanup in reverse order; each may fail without stopping the rest.
fb_cleanup() {
    local i
    for ((i = ${#FB_CLEANUP[@]} - 1; i >= 0; i--)); do
        eval "${FB_CLEANUP[i]}" >/dev/null 2>&1 || true
    done
    FB_CLEANUP=()
}

# Milliseconds since the epoch.
fb_now_ms() { date +%s%3N; }

# Phase timing: `fb_phase_start NAME` ... `fb_phase_end`; prints the figure and keeps it
# for the summary at the end.
FB_TIMINGS=()
fb_phase_start() {
    FB_PHASE=$1
    FB_PHASE_T0=$(fb_now_ms)
    fb_say "$FB_PHASE"
}
fb_phase_end() {
    local elapsed=$(($(fb_now_ms) - FB_PHASE_T0))
    FB_TIMINGS+=("$(printf '%-62s %6.1f s' "$FB_PHASE" "$(awk -v ms="$elapsed" 'BEGIN { print ms / 1000 }')")")
    printf '  (%s: %d ms)\n' "$FB_PHASE" "$elapsed"
}
fb_print_timings() {
    fb_say "timings"
    printf '  %s\n' "${FB_TIMINGS[@]}"
}
