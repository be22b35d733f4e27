#include "process_arguments.h"

#include <stddef.h>

// Why this exists: a statically linked Swift runtime on Linux reads the command line from
// /proc/self/cmdline. Without /proc (a chroot into an image, as image builders run the agent)
// it gets nothing, and `guest-agent run` turned into "no arguments": the top-level help,
// exit 0, nothing done (issue 29 item 13). glibc calls every ELF constructor of the
// executable with (argc, argv, envp), before main, from the loader's own copy: no /proc.
static int captured_argc = 0;
static char *const *captured_argv = NULL;

__attribute__((constructor)) static void guest_agent_capture_arguments(int argc, char **argv, char **envp) {
    (void)envp;
    captured_argc = argc;
    captured_argv = argv;
}

int guest_agent_argc(void) { return captured_argc; }

char *const *guest_agent_argv(void) { return captured_argv; }
