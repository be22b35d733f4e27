import AgentBase
import DataSources
import FoundationEssentials
import HostEffects

/// VMware's guestinfo through the image's own `vmware-rpctool`, found under the root (never
/// the PATH of the machine the agent runs on): `vmware-rpctool "info-get guestinfo.<key>"`,
/// one argv element, as cloud-init's `exec_vmware_rpctool` runs it; bounded output and time.
struct RPCToolGuestInfoChannel: GuestInfoChannel {
    static let tool = "vmware-rpctool"
    /// What the tool prints on standard error for a key the hypervisor does not hold
    /// (cloud-init's `NOVAL`); it exits non-zero then.
    static let noValue = "No value found"
    /// Past this a hung tool (no backdoor port, an odd hypervisor) is killed: a read of a
    /// key is an instant when it works.
    static let timeout = Duration.seconds(5)

    let tools: ToolLocator
    let runner: any CommandRunner

    /// Reads `root`'s tool; its output may hold a base64 user data (4/3 of the cap) and more.
    init(root: SystemRoot, limits: DocumentLimits = .standard) {
        tools = ToolLocator(root: root)
        runner = SubprocessCommandRunner(tools: tools, outputLimit: 2 * max(limits.userDataBytes, limits.jsonBytes))
    }

    /// The channel as `DataSourceSettings` carries it.
    static func access(root: SystemRoot) -> GuestInfoAccess {
        GuestInfoAccess(
            channel: RPCToolGuestInfoChannel(root: root),
            label: "\(tool) under \(root.isLiveSystem ? "/" : root.hostPath)")
    }

    /// Whether the root has `vmware-rpctool` (a file check; nothing is run).
    var isAvailable: Bool { tools.find(Self.tool) != nil }

    /// The tool's standard output, without the newline it ends with; nil for "No value found".
    func value(of key: String) async throws -> String? {
        let location = "guestinfo.\(key)"
        let argv = [Self.tool, "info-get \(location)"]
        let result: CommandResult
        do {
            result = try await runner.run(argv, standardInput: nil, options: CommandOptions(timeout: Self.timeout))
        } catch {
            throw DataSourceError.malformedDocument(location: location, reason: "\(Self.tool) could not run: \(error)")
        }
        if result.timedOut {
            throw DataSourceError.timedOut(url: location, seconds: Double(Self.timeout.components.seconds))
        }
        if result.exitCode != 0 {
            if result.standardError.trimmingWhitespaceAndNewlines() == Self.noValue { return nil }
            throw DataSourceError.malformedDocument(
                location: location,
                reason: "\(Self.tool) exited with status \(result.exitCode): "
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
