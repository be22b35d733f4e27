import FoundationEssentials
import HostEffects

/// Runs resize steps with the target root's tools (argv only, never a shell).
struct ResizeExecutor: Sendable {
    let runner: any CommandRunner
    let tools: ToolLocator
    /// Growing a large filesystem online can take minutes; a hung tool must not hold the boot forever.
    static let timeout = Duration.seconds(600)

    /// Runs `step`; throws `ResizeError.stepFailed` naming the tool, its status and stderr.
    /// Returns a note for the log (e.g. "already at its largest").
    @discardableResult
    func run(_ step: ResizeStep) async throws -> String? {
        switch step {
        case .growPartition(let space):
            return try await growPartition(space)
        default:
            try await check(step.argv)
            return nil
        }
    }

    private func growPartition(_ space: PartitionSpace) async throws -> String? {
        if tools.find("growpart") != nil {
            let argv = ["growpart", space.disk, String(space.number)]
            let result = try await runner.run(argv, standardInput: nil, options: CommandOptions(timeout: Self.timeout))
            // growpart exits 1 with "NOCHANGE:" when the partition cannot grow: not an error.
            if result.exitCode == 1, result.standardOutput.contains("NOCHANGE") { return "growpart: NOCHANGE" }
            try Self.require(result, argv)
            return nil
        }
        guard tools.find("sfdisk") != nil, tools.find("partx") != nil else { throw ResizeError.noPartitionTool }
        let dump = try await check(["sfdisk", "--dump", space.disk])
        if dump.standardOutput.split(separator: "\n").contains(where: {
            $0.trimmingWhitespace() == "label: gpt"
        }) {
            // When the disk grew, GPT's backup header is no longer at its end; it must move
            // there first or the table cannot describe the new space.
            try await check(["sfdisk", "--no-reread", "--relocate", "gpt-bak-std", space.disk])
        }
        // ", +": keep the start, take every sector up to the next partition or the disk's end.
        // --no-reread: the disk is in use (its partition is mounted), so the kernel cannot
        // re-read the whole table; partx then tells it about this one partition (BLKPG).
        try await check(
            ["sfdisk", "--no-reread", "--no-tell-kernel", "-N", String(space.number), space.disk],
            input: Data(", +\n".utf8))
        try await check(["partx", "-u", "--nr", String(space.number), space.disk])
        return nil
    }

    @discardableResult
    private func check(_ argv: [String], input: Data? = nil) async throws -> CommandResult {
        let result: CommandResult
        do {
            result = try await runner.run(argv, standardInput: input, options: CommandOptions(timeout: Self.timeout))
        } catch let error as HostError {
            throw ResizeError.stepFailed(tool: argv[0], argv: argv, status: "could not run", stderr: error.description)
        }
        try Self.require(result, argv)
        return result
    }

    private static func require(_ result: CommandResult, _ argv: [String]) throws {
        guard let failure = result.failure else { return }
        throw ResizeError.stepFailed(
            tool: argv[0], argv: argv, status: failure,
            // One line: the reason lands in `status` and the log (resize2fs starts with a version banner).
            stderr: String(
                result.standardError.split(separator: "\n").map { $0.trimmingWhitespace() }
                    .filter { !$0.isEmpty }.joined(separator: "; ").prefix(500)))
    }
}
