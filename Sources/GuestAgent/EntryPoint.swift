import CStartupMemory

#if canImport(Glibc)
import Glibc
#endif

/// The process entry point: runs `GuestAgentCommand` on the concurrency pool while the main
/// thread waits on a semaphore, then exits 0 (failures exit earlier, through
/// ArgumentParser's `exit(withError:)`).
///
/// Why not an async `main` (`@main` on the command): its main thread parks in
/// `dispatch_main`, which ends in `pthread_exit`, and glibc unwinds the main thread's stack
/// for it: libgcc walks the binary's unwind tables, about 1 MB of `.eh_frame` pages
/// resident in every run for nothing (issue 12, README "Performance"). Nothing in the agent
/// runs on the main actor, so the main thread has nothing else to do.
@main
enum EntryPoint {
    static func main() {
        // The loader is done with the relocation table: 1.3 MB less resident in every run.
        _ = guest_agent_release_relocation_table()
        ProcessGuards.install()
        guard let arguments = ProcessArguments.afterProgramName() else {
            _ = LogSink.writeAll(
                STDERR_FILENO, Array("guest-agent: the process was started without a command line (no argv)\n".utf8))
            exit(64)
        }
        guard ProcRequirement.isMet else {
            _ = LogSink.writeAll(STDERR_FILENO, Array(ProcRequirement.message.utf8))
            exit(64)
        }
        let finished = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
        sem_init(finished, 0, 0)
        nonisolated(unsafe) let signal = finished
        Task.detached {
            await GuestAgentCommand.main(arguments)
            sem_post(signal)
        }
        while sem_wait(finished) != 0 {}  // EINTR: wait again
        exit(0)
    }
}
