#ifndef GUEST_AGENT_GLIBC_FLOOR_H
#define GUEST_AGENT_GLIBC_FLOOR_H

/// hypotf bound to its oldest glibc version (GLIBC_2.2.5). The release link renames every
/// reference to hypotf to this function (`--wrap=hypotf`, scripts/release-build.sh), so the
/// shipped binary does not need glibc 2.35's newer hypotf and runs on glibc 2.34.
float __wrap_hypotf(float x, float y);

#endif
