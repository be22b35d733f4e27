import AgentBase
import DataSources
import FoundationEssentials
import HostEffects

/// VMware's guestinfo through the image's own tools, found under the root (never the PATH of
/// the machine the agent runs on), as cloud-init (23.4 and later) asks: `vmware-rpctool
/// "info-get guestinfo.<key>"` when the image has it, else `vmtoolsd --cmd "info-get
/// guestinfo.<key>"`; and when `vmware-rpctool` fails (not "No value found": a real error),
/// the same key again through `vmtoolsd`. Argv only, bounded output and time.
struct RPCToolGuestInfoChannel: GuestInfoChannel {
    /// What each tool prints on standard error for a key the hypervisor does not hold
    /// (cloud-init's `NOVAL`); it exits non-zero then.
    static let noValue = "No value found"
    /// Past this a hung tool (no backdoor port, an odd hypervisor) is killed: a read of a
    /// key is an instant when it works.
    static let timeout = Duration.seconds(5)

    let tools: ToolLocator
    let runner: any CommandRunner

    /// Reads `root`'s tools; their output may hold a base64 user data (4/3 of the cap) and more.
    init(root: SystemRoot, limits: DocumentLimits = .standard) {
        tools = ToolLocator(root: root)
        runner = SubprocessCommandRunner(tools: tools, outputLimit: 2 * max(limits.userDataBytes, limits.jsonBytes))
    }

    /// The channel as `DataSourceSettings` carries it.
    static func access(root: SystemRoot) -> GuestInfoAccess {
        GuestInfoAccess(
            channel: RPCToolGuestInfoChannel(root: root),
            label: "vmware-rpctool or vmtoolsd under \(root.isLiveSystem ? "/" : root.hostPath)")
    }

    /// The tools the root has, in the order they are asked (a file check; nothing is run).
    var availableTools: [GuestInfoTool] { GuestInfoTool.allCases.filter { tools.find($0.program) != nil } }

    /// Whether the root has `vmware-rpctool` or `vmtoolsd`.
    var isAvailable: Bool { !availableTools.isEmpty }

    /// The value through the first tool, and through `vmtoolsd` when `vmware-rpctool` failed
    /// (cloud-init's fallback). When every tool failed, the error names each failure.
    func value(of key: String) async throws -> String? {
        var failures: [DataSourceError] = []
        for tool in availableTools {
            do {
                return try await value(of: key, through: tool)
            } catch let error as DataSourceError {
                // A hung tool is not asked again through another: the boot must not wait twice.
                if case .timedOut = error { throw error }
                failures.append(error)
            }
        }
        guard failures.count > 1 else {
            throw failures.first
                ?? DataSourceError.malformedDocument(
                    location: "guestinfo.\(key)", reason: "no vmware-rpctool or vmtoolsd")
        }
        throw DataSourceError.malformedDocument(
            location: "guestinfo.\(key)",
            reason: "every tool failed: " + failures.map { "\($0)" }.joined(separator: "; "))
    }

    /// One tool's standard output, without the newline it ends with; nil for "No value found".
    func value(of key: String, through tool: GuestInfoTool) async throws -> String? {
        let location = "guestinfo.\(key)"
        let result: CommandResult
        do {
            result = try await runner.run(
                tool.argv("info-get \(location)"), standardInput: nil, options: CommandOptions(timeout: Self.timeout))
        } catch {
            throw DataSourceError.malformedDocument(
                location: location, reason: "\(tool.program) could not run: \(error)")
        }
        if result.timedOut {
            throw DataSourceError.timedOut(url: location, seconds: Double(Self.timeout.components.seconds))
        }
        if result.exitCode != 0 {
            if result.standardError.trimmingWhitespaceAndNewlines() == Self.noValue { return nil }
            throw DataSourceError.malformedDocument(
                location: location,
                reason: "\(tool.program) exited with status \(result.exitCode): "
                    + TextPreview.line(result.standardError.trimmingWhitespaceAndNewlines(), limit: 200))
        }
        var output = result.standardOutput
        if output.hasSuffix("\n") { output.removeLast() }
        return output
    }

    /// `GzipDecoder` under the cap, its errors as the source's.
    func gunzip(_ data: Data, maxBytes: Int, location: String) throws -> Data {
        do {
            return try GzipDecoder.decompress(data, maxBytes: maxBytes, what: location)
        } catch {
            throw DataSourceError.malformedDocument(location: location, reason: "\(error)")
        }
    }
}

/// The two programs of open-vm-tools that ask the hypervisor for a guestinfo key, in the
/// order cloud-init prefers them (`get_guestinfo_data_fn`).
enum GuestInfoTool: CaseIterable, Sendable {
    case rpctool
    case vmtoolsd

    var program: String {
        switch self {
        case .rpctool: "vmware-rpctool"
        case .vmtoolsd: "vmtoolsd"
        }
    }

    /// The argv for one RPC command (`info-get guestinfo.metadata`), always one element:
    /// cloud-init's `exec_vmware_rpctool` (`[tool, arg]`) and `exec_vmtoolsd`
    /// (`[tool, "--cmd", arg]`).
    func argv(_ command: String) -> [String] {
        switch self {
        case .rpctool: [program, command]
        case .vmtoolsd: [program, "--cmd", command]
        }
    }
}
