import AgentBase
import FoundationEssentials
import HostEffects

#if canImport(Glibc)
import Glibc
#endif

/// Runs one of the root's own programs (`update-ca-certificates`, `locale-gen`) inside the
/// root: on the live system as it is, under `--root` through this machine's chroot(8), so the
/// image's tool acts on the image's files and never on the machine that builds it (that
/// needs root; without it the key fails by name). Argv only, a fixed environment.
struct InRootCommand: Sendable {
    let context: PluginContext
    /// Generous: locale-gen compiles locales; a hung tool must still not hold the boot.
    static let timeout = Duration.seconds(300)

    /// Whether the root has `name` in its standard directories.
    func has(_ name: String) -> Bool { context.tools.find(name) != nil }

    /// Runs `argv` (argv[0] a bare program name the root has) and requires exit 0.
    @discardableResult
    func check(_ argv: [String], standardInput: Data? = nil) async throws -> CommandResult {
        guard let name = argv.first, has(name) else { throw HostError.commandNotFound(argv.first ?? "") }
        let environment = [
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C", "HOME": "/root",
            "DEBIAN_FRONTEND": "noninteractive",
        ]
        let root = context.root
        if root.isLiveSystem {
            return try await context.runner.check(
                argv, standardInput: standardInput,
                options: CommandOptions(timeout: Self.timeout, workingDirectory: "/", environment: environment))
        }
        guard geteuid() == 0 else { throw InRootNeedsRoot(program: name, root: root.hostPath) }
        guard let chroot = ScriptRunner.hostChroot() else { throw HostError.commandNotFound("chroot") }
        return try await context.runner.check(
            [chroot, root.hostPath] + argv, standardInput: standardInput,
            options: CommandOptions(timeout: Self.timeout, workingDirectory: root.hostPath, environment: environment))
    }
}

struct InRootNeedsRoot: Error, CustomStringConvertible {
    var program: String
    var root: String
    var description: String { "running \(program) inside --root \(root) needs chroot, which needs root" }
}
