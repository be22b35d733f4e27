import AgentBase
import DataSources
import FoundationEssentials
import HostEffects

#if canImport(Glibc)
import Glibc
#endif

/// What one script run gave.
struct ScriptRun: Sendable, Equatable {
    var exitCode: Int32
    var timedOut: Bool
    /// The last lines of its output (standard output then standard error).
    var tail: [String]
    /// Guest path of the root-only file with its whole output.
    var outputFile: String
}

/// Runs a script (user data's, a cloud-config command, the platform's startup script):
/// writes it to an executable file in a private directory under the state directory and
/// runs it by argv, never through a shell string, killed with its process group after
/// `timeout` seconds (the caller's setting: `userdata_script_timeout`).
///
/// Security: the directory is 0700 and the file 0700, both root's, written through the
/// atomic writer (no symbolic link followed), so no other user can read or swap the script
/// between writing and running. With `--root R` other than `/`, the script runs inside R
/// (`chroot R interpreter script`): user data never runs against the machine that builds
/// an image or runs the tests. That needs root; without it the part fails by name.
struct ScriptRunner: Sendable {
    static let tailLines = 10
    let context: PluginContext
    /// Seconds a script may run.
    let timeout: Double

    init(context: PluginContext, timeout: Double) {
        self.context = context
        self.timeout = timeout
    }

    var directory: String { context.config.run.stateDir + "/userdata" }
    var scriptsDirectory: String { directory + "/scripts" }
    var outputDirectory: String { directory + "/output" }

    /// Runs `content` (which starts with `#!`, or is run by `fallback`, e.g. /bin/sh for a
    /// boothook without one) from `scripts/fileName`, its output in `output/fileName.log`.
    func run(_ content: Data, fileName: String, fallback: Shebang? = nil) async throws -> ScriptRun {
        guard let shebang = Shebang(content) ?? fallback else {
            throw ScriptError.noInterpreter
        }
        let root = context.root
        if !root.isLiveSystem && geteuid() != 0 { throw ScriptError.needsRoot(root.hostPath) }
        // The interpreter must exist where the script will run (inside the root): said by
        // name here rather than as chroot's "No such file or directory".
        let interpreterHost = try root.resolve(shebang.interpreter)
        guard FileManager.default.isExecutableFile(atPath: interpreterHost) else {
            throw ScriptError.interpreterMissing(shebang.interpreter, root: root.isLiveSystem ? "/" : root.hostPath)
        }
        try makeDirectories()
        let script = scriptsDirectory + "/" + fileName
        try context.writer.write(content, to: script, mode: 0o700)
        // The guest path: inside the chroot, or on / itself.
        return try await execute(shebang.argv(scriptPath: script), fileName: fileName)
    }

    /// Runs one cloud-config command (an argv; `sh -c` strings come here as argv too),
    /// inside the root like a script, with its output kept the same way; `environment` is
    /// added to the fixed one (the package manager's `DEBIAN_FRONTEND`).
    func runCommand(_ argv: [String], fileName: String, environment extra: [String: String] = [:]) async throws
        -> ScriptRun
    {
        if !context.root.isLiveSystem && geteuid() != 0 { throw ScriptError.needsRoot(context.root.hostPath) }
        try makeDirectories()
        return try await execute(argv, fileName: fileName, environment: extra)
    }

    private func makeDirectories() throws {
        try context.writer.makeDirectory(directory, mode: 0o700)
        try context.writer.makeDirectory(scriptsDirectory, mode: 0o700)
        try context.writer.makeDirectory(outputDirectory, mode: 0o700)
    }

    private func execute(_ command: [String], fileName: String, environment extra: [String: String] = [:])
        async throws -> ScriptRun
    {
        let root = context.root
        var argv = command
        if !root.isLiveSystem {
            guard let chroot = Self.hostChroot() else { throw HostError.commandNotFound("chroot") }
            argv = [chroot, root.hostPath] + argv
        }
        let outputFile = outputDirectory + "/" + fileName + ".log"
        let outputHostPath = try root.resolve(outputFile)
        // Straight to a root-only file, not through memory: a script's output has no cap.
        let options = CommandOptions(
            timeout: .milliseconds(Int64(timeout * 1000)),
            workingDirectory: root.isLiveSystem ? "/" : root.hostPath,
            environment: environment().merging(extra) { _, added in added }, outputFile: outputHostPath)
        let result = try await context.runner.run(argv, standardInput: nil, options: options)
        return ScriptRun(
            exitCode: result.exitCode, timedOut: result.timedOut,
            tail: Self.lastLines(ofFile: outputHostPath), outputFile: outputFile)
    }

    /// The last `tailLines` lines of a file, read from its last 64 KiB only.
    static func lastLines(ofFile path: String) -> [String] {
        guard let data = PlainFileIO.readTail(ofFile: path, maxBytes: 65536) else { return [] }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        return lines.suffix(tailLines).map { TextPreview.line(String($0)) }
    }

    /// A fixed, minimal environment: the agent's own (which may hold anything the service
    /// manager set) is not handed to user data.
    func environment() -> [String: String] {
        [
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "LANG": "C.UTF-8",
            "INSTANCE_ID": context.metadata.instanceID,
        ]
    }

    /// This machine's chroot(8): it is this machine that enters the root, so it is looked
    /// up here, not in the root.
    static func hostChroot() -> String? {
        ["/usr/sbin/chroot", "/usr/bin/chroot", "/sbin/chroot", "/bin/chroot"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }
}

enum ScriptError: Error, CustomStringConvertible, Equatable {
    case noInterpreter
    case interpreterMissing(String, root: String)
    /// `--root` other than `/` without being root: no chroot to run the script in.
    case needsRoot(String)

    var description: String {
        switch self {
        case .noInterpreter: "it has no #! line naming an absolute interpreter path"
        case .interpreterMissing(let path, let root):
            "its interpreter \(path) does not exist (or is not executable) in the root \(root)"
        case .needsRoot(let root):
            "running scripts inside --root \(root) needs chroot, which needs root; run as root or without --root"
        }
    }
}
