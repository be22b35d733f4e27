#ifndef GUEST_AGENT_PROCESS_ARGUMENTS_H
#define GUEST_AGENT_PROCESS_ARGUMENTS_H

/// The argument count the loader passed to the process (0 when none was captured).
int guest_agent_argc(void);

/// The argument vector the loader passed to the process (NULL when none was captured).
char *const *guest_agent_argv(void);

#endif
