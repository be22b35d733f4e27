#include "glibc_floor.h"

// Why: glibc 2.35 added a second version of hypotf (GLIBC_2.35, a new implementation) and
// made it the default, so Foundation, built against a newer glibc, references
// hypotf@GLIBC_2.35: the only symbol that lifts the binary's glibc floor above 2.34 (RHEL 9,
// Amazon Linux 2023). The GLIBC_2.2.5 version is still exported by every glibc and gives
// the same result within float precision; nothing on a first boot calls it anyway.
float guest_agent_hypotf_glibc_2_2_5(float x, float y);
__asm__(".symver guest_agent_hypotf_glibc_2_2_5, hypotf@GLIBC_2.2.5");

float __wrap_hypotf(float x, float y) { return guest_agent_hypotf_glibc_2_2_5(x, y); }
