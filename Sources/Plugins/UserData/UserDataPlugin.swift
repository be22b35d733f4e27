import AgentBase
import DataSources
import FoundationEssentials
import HostEffects

#if canImport(Glibc)
import Glibc
#endif

/// Runs the instance's user data: `#!` scripts, `#cloud-config` (a subset, through the
/// other plugins' code), `#cloud-boothook`, `#include`/`#include-once` URLs (only with
/// `userdata_allow_include`; fetched and run by `UserDataBoot`), MIME multipart of these,
/// gzip around any. In the default plugin list, last.
///
/// Frequency: the plugin itself runs at every boot and decides per part (`UserDataState`):
/// a part that finished is not run again unless it asked to be (exit 1002/1003) or is a
/// boothook (or a cloud-config's `bootcmd`), so nothing runs twice unasked. A part changed
/// in the metadata is a new part. When nothing is left to do, `plan` skips with a reason.
///
/// Order within a boot, as cloud-init's stages have it: boothooks, then cloud-config
/// parts, then scripts, each in the order they appear. A script exiting 1001 or 1003 asks
/// for a reboot: the parts after it wait for the next boot.
public struct UserDataPlugin: Plugin {
    public let id = "userdata"
    public let frequency = PluginFrequency.everyBoot
    public let stage = PluginStage.network
    public let needs = MetadataNeeds.userData

    public init() {}

    /// What this boot does with one part.
    enum Action: Equatable {
        case run(String)
        /// Cannot be run (Windows data, part handler, include not allowed, undecodable).
        case refuse(String)
        /// Logged and not run (unknown type), recorded so the warning is not repeated.
        case ignore(String)
        /// Was running when the machine stopped: not run a second time.
        case interrupted
        /// Nothing to do at this boot.
        case nothing(String)
    }

    func parser(_ context: PluginContext) -> UserDataParser {
        UserDataParser(
            maxRawBytes: DocumentLimits().userDataBytes, maxDecodedBytes: 16 * DocumentLimits().userDataBytes)
    }

    /// The parts to consider this boot, in run order (boothooks, cloud-config, the rest),
    /// vendor data's first in each group. User data the source offered but could not read
    /// fails this plugin, naming why.
    func orderedParts(_ context: PluginContext) throws -> [UserDataPart] {
        if case .unreadable(let failure) = context.metadata.userDataDocument { throw failure }
        var userParts: [UserDataPart] = []
        if let data = context.metadata.userData, !data.isEmpty { userParts = try parser(context).parse(data) }
        return Self.ordered(
            (VendorData.parts(context, userParts: userParts, parser: parser(context)) + userParts).map {
                $0.readingCloudConfig()
            })
    }

    /// `parts` in run order: boothooks, then cloud-config, then scripts and the rest, then each
    /// cloud-config's `runcmd` (as cloud-init has them: `runcmd` is a script its final stage
    /// runs after the user data's own, so a command can use what a script made), each group
    /// in the order given.
    static func ordered(_ parts: [UserDataPart]) -> [UserDataPart] {
        let runcmds = parts.compactMap(runcmdPart)
        return (parts + runcmds).enumerated().sorted { (phase($0.element), $0.offset) < (phase($1.element), $1.offset) }
            .map(\.element)
    }

    private static func phase(_ part: UserDataPart) -> Int {
        switch part.kind {
        case .boothook: 0
        case .cloudConfig: 1
        case .runcmd: 3
        default: 2
        }
    }

    /// The runcmd of a cloud-config part as a part of its own (`1-runcmd`: its own record, so
    /// it runs once per instance like a script); nil when there is none or the part is not valid
    /// (the cloud-config part itself reports that).
    static func runcmdPart(_ part: UserDataPart) -> UserDataPart? {
        guard part.kind == .cloudConfig,
            let config = try? part.cloudConfig(), !config.runcmd.isEmpty
        else { return nil }
        var runcmd = part
        runcmd.index = part.index + "-runcmd"
        runcmd.kind = .runcmd
        return runcmd
    }

    func action(for part: UserDataPart, record: UserDataPartRecord?, context: PluginContext) -> Action {
        if record?.status == .started { return .interrupted }
        switch part.kind {
        case .boothook:
            return .run("run boothook (every boot)")
        case .script:
            guard let record else {
                return .run(
                    "run "
                        + (Shebang(part.content).map { $0.argv(scriptPath: "script").dropLast().joined(separator: " ") }
                            ?? "script"))
            }
            switch record.status {
            case .runAgain: return .run("run again (it exited 1002 at the last boot)")
            case .rebootThenRunAgain: return .run("run again after the reboot (it exited 1003)")
            default: return .nothing("\(record.status.rawValue) at an earlier boot")
            }
        case .runcmd:
            guard let record else {
                let count = (try? part.cloudConfig())?.runcmd.count ?? 0
                return .run("run runcmd (\(count) command(s)) after the scripts")
            }
            return record.status == .runAgain
                ? .run("run runcmd again") : .nothing("\(record.status.rawValue) at an earlier boot")
        case .cloudConfig:
            let document: CloudConfig
            do {
                document = try part.cloudConfig()
            } catch {
                return record == nil ? .refuse("\(error)") : .nothing("failed at an earlier boot")
            }
            if record == nil {
                let packages = CloudConfigPackages.plan(document.packageRequest, root: context.root)
                return .run("apply cloud-config: " + document.summary + (packages.map { "; " + $0 } ?? ""))
            }
            return document.bootcmd.isEmpty ? .nothing("applied at an earlier boot") : .run("run bootcmd (every boot)")
        case .include(let once):
            if let record, record.status != .runAgain { return .nothing("handled at an earlier boot") }
            guard context.config.userData.userdataAllowInclude else {
                return .refuse(
                    "\(once ? "#include-once" : "#include") URLs are not fetched: "
                        + "set userdata_allow_include = true to allow it")
            }
            let list = IncludeList(part.content, once: once)
            let urls = list.entries.map(\.display).joined(separator: ", ")
            return .run(
                (record == nil ? "fetch" : "fetch again (a part it gave runs again)")
                    + " \(list.entries.count) URL(s) and run what they give: \(urls)"
                    + (list.problems.isEmpty ? "" : "; refuse: " + list.problems.joined(separator: "; ")))
        case .partHandler:
            return record == nil
                ? .refuse("text/part-handler is not supported (it is Python code for cloud-init)")
                : .nothing("refused at an earlier boot")
        case .windows(let marker):
            return record == nil
                ? .refuse("Windows-style user data (\(marker)): not for this platform; it was not run")
                : .nothing("refused at an earlier boot")
        case .unknown(let type):
            return record == nil
                ? .ignore("type \(type) is not handled; skipped") : .nothing("skipped at an earlier boot")
        case .invalid(let why):
            return record == nil ? .refuse(why) : .nothing("refused at an earlier boot")
        }
    }

    /// The parts in run order, parsed once, with the per-part records they were judged by.
    public struct Plan: PlannedChanges {
        let parts: [UserDataPart]
        let state: UserDataState
        public let changes: [String]
    }

    public func plan(_ context: PluginContext) async throws -> PlanDecision<Plan> {
        let parts = try orderedParts(context)
        guard !parts.isEmpty else { return .skip("metadata has no user data") }
        let state = try context.savedState(as: UserDataState.self) ?? UserDataState()
        var lines: [String] = []
        var work = false
        for part in parts {
            let action = action(for: part, record: state.parts[part.stateKey], context: context)
            switch action {
            case .run(let what):
                work = true
                lines.append("\(part.name): \(what)")
            case .refuse(let why):
                work = true
                lines.append("\(part.name): refuse: \(why)")
            case .ignore(let why):
                work = true
                lines.append("\(part.name): \(why)")
            case .interrupted:
                work = true
                lines.append("\(part.name): record as interrupted (not run again)")
            case .nothing(let why): lines.append("\(part.name): nothing to do (\(why))")
            }
        }
        guard work else {
            return .skip("\(parts.count) part(s), nothing to run at this boot: " + lines.joined(separator: "; "))
        }
        return .apply(Plan(parts: parts, state: state, changes: lines))
    }

    public func apply(_ plan: Plan, _ context: PluginContext) async throws -> PluginOutcome {
        if let raw = context.metadata.userData { try saveRaw(raw, context: context) }
        var boot = UserDataBoot(plugin: self, context: context, state: plan.state)
        let reboot = try await boot.process(plan.parts)
        // cloud-config `final_message`s: at the end of the run, as cloud-init's final stage.
        for message in boot.finalMessages {
            let text = FinalMessage.render(message, values: FinalMessage.values(for: context))
            context.logger.notice("cloud-config final_message", metadata: ["message": "\(TextPreview.line(text))"])
            context.console(text)
        }
        if let reboot {
            if !boot.failures.isEmpty {
                context.logger.error("user data parts failed", metadata: ["failures": "\(boot.failures)"])
            }
            return .rebootRequired(reboot)
        }
        if !boot.failures.isEmpty { throw UserDataError.partsFailed(boot.failures) }
        if !boot.runAgain.isEmpty {
            return .runAgainNextBoot(
                boot.runAgain.joined(separator: ", ") + " exited 1002: runs again at the next boot")
        }
        return .done
    }

    /// The raw user data, root-only (0600), for `guest-agent query userdata`; rewritten
    /// only when it changed. Never logged.
    func saveRaw(_ data: Data, context: PluginContext) throws {
        let directory = context.config.run.stateDir + "/userdata"
        try context.writer.makeDirectory(directory, mode: 0o700)
        let path = Self.rawPath(stateDir: context.config.run.stateDir)
        try context.writer.writeIfChanged(data, to: path, mode: 0o600)
    }

    /// Where the raw user data is kept (a guest path).
    public static func rawPath(stateDir: String) -> String { stateDir + "/userdata/user-data" }

    /// The raw user data saved by the last run (`guest-agent query userdata`). Reading it
    /// needs root, as the file is 0600; a missing file is an error that says why.
    public static func savedRaw(root: SystemRoot, stateDir: String) throws -> Data {
        let path = rawPath(stateDir: stateDir)
        guard let data = try AtomicFileWriter(root: root).read(path) else {
            throw SavedUserDataMissing(path: try root.resolve(path))
        }
        return data
    }
}
