import CProcessArguments

#if canImport(Glibc)
import Glibc
#endif

/// The process's own command line, as the loader passed it to the executable.
///
/// Why not `CommandLine.arguments`: the static Swift runtime builds it from
/// `/proc/self/cmdline`, and without `/proc` (`chroot IMAGE guest-agent run`) it was empty,
/// so `run` printed the help and exited 0 having done nothing. The loader's argv needs no
/// file system (CProcessArguments captures it in an ELF constructor).
enum ProcessArguments {
    /// The arguments after the program name, nil when the command line could not be had
    /// (no argv was passed: `execve` with an empty vector): never "no arguments".
    static func afterProgramName() -> [String]? {
        let count = Int(guest_agent_argc())
        guard count > 0, let vector = guest_agent_argv() else { return nil }
        return (1..<count).map { index in vector[index].map { String(cString: $0) } ?? "" }
    }
}

/// The agent needs the kernel's /proc: the Swift runtime's thread pool (libdispatch) reads
/// `/proc/<tid>/stat` to size itself and traps when it cannot (seen as exit 132 at random
/// points of a run in a chroot without /proc). So a missing /proc is refused at start,
/// naming it and the fix, before anything is read or written.
enum ProcRequirement {
    static let message =
        "guest-agent: /proc is not mounted (the runtime's thread pool reads /proc/<tid>/stat): mount it first"
        + " (mount -t proc proc IMAGE/proc before chroot IMAGE), or run from outside with --root IMAGE\n"

    static var isMet: Bool {
        let descriptor = open("/proc/self/stat", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        close(descriptor)
        return true
    }
}
