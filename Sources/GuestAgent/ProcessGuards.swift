import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Makes the process safe to start in a hostile or broken environment, before anything
/// else runs (the boot must go on whatever state the standard streams are in).
enum ProcessGuards {
    static func install() {
        // A closed reader (`guest-agent status | head -1`, a dead journal) must not kill us;
        // writes then fail with EPIPE, which the log sink handles.
        signal(SIGPIPE, SIG_IGN)
        // With a standard stream closed (`2>&-`), the next file we open would get its
        // descriptor and log lines would land in it: hold 0-2 with /dev/null instead.
        for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where fcntl(descriptor, F_GETFD) == -1 {
            let null = open("/dev/null", descriptor == STDIN_FILENO ? O_RDONLY : O_WRONLY)
            if null >= 0 && null != descriptor {
                dup2(null, descriptor)
                close(null)
            }
        }
    }
}
