#ifndef GUEST_AGENT_STARTUP_MEMORY_H
#define GUEST_AGENT_STARTUP_MEMORY_H

#include <stddef.h>

/// Drops the executable's relocation table (`.rela.dyn`) from memory once the loader has
/// applied it; returns the bytes released (0 when there was nothing safe to release).
size_t guest_agent_release_relocation_table(void);

#endif
