import DataSources
import FoundationEssentials

/// One boot's pass over the user data parts: runs what each part's action says, saves its
/// record at once (so a crash or reboot resumes correctly), and collects what the plugin
/// reports at the end: failures, parts to run again, `final_message`s.
///
/// An include part runs by fetching its URLs (`IncludeFetcher`) and processing what they
/// give as user data, in place: its parts (boothooks, cloud-config, then the rest, as at
/// the top level) are known by the include's index, `2-url1.1`, with their own records.
/// The include is recorded `run-again` while its parts run and stays so when one of them
/// will run at a later boot (exit 1002/1003, a boothook, a bootcmd), so later boots fetch
/// it again (`#include`) or read its saved copy (`#include-once`); else `done`.
struct UserDataBoot {
    /// Levels of includes inside included user data.
    static let maxIncludeDepth = 3

    let plugin: UserDataPlugin
    let context: PluginContext
    var state: UserDataState
    var failures: [String] = []
    var runAgain: [String] = []
    var finalMessages: [String] = []
    private var fetchedBytes = 0
    private var fetchedURLs = 0

    init(plugin: UserDataPlugin, context: PluginContext, state: UserDataState) {
        self.plugin = plugin
        self.context = context
        self.state = state
    }

    /// Processes `parts` in order; returns the reason when one asked for a reboot now
    /// (the parts after it wait for the next boot).
    mutating func process(_ parts: [UserDataPart], includeDepth: Int = 0) async throws -> String? {
        for part in parts {
            if let reboot = try await process(part, includeDepth: includeDepth) { return reboot }
        }
        return nil
    }

    private mutating func save(_ record: UserDataPartRecord, for part: UserDataPart) throws {
        state.parts[part.stateKey] = record
        try context.saveState(state)
    }

    private mutating func process(_ part: UserDataPart, includeDepth: Int) async throws -> String? {
        let previous = state.parts[part.stateKey]
        var record = previous ?? UserDataPartRecord(index: part.index, type: part.contentType, status: .done)
        switch plugin.action(for: part, record: previous, context: context) {
        case .nothing:
            return nil
        case .interrupted:
            record.status = .interrupted
            record.detail = "the machine stopped while it ran; not run a second time"
            failures.append("\(part.name): \(record.detail!)")
        case .refuse(let why):
            record.status = .failed
            record.detail = why
            failures.append("\(part.name): \(why)")
        case .ignore(let why):
            record.status = .skipped
            record.detail = why
            context.logger.warning("user data part skipped", metadata: ["part": "\(part.name)", "reason": "\(why)"])
        case .run:
            if case .include(let once) = part.kind {
                return try await include(part, once: once, record: record, includeDepth: includeDepth)
            }
            return try await run(part, previous: previous, record: record)
        }
        try save(record, for: part)
        return nil
    }

    /// Runs a script, boothook or cloud-config part and records what it gave.
    private mutating func run(_ part: UserDataPart, previous: UserDataPartRecord?, record: UserDataPartRecord)
        async throws -> String?
    {
        var record = record
        if part.kind == .script || part.kind == .runcmd || (part.kind == .cloudConfig && previous == nil) {
            // Saved before it starts: a crash or power loss while it runs must not run it
            // twice (a cloud-config's runcmd included).
            record.status = .started
            try save(record, for: part)
        }
        let result = await UserDataPartExecutor(context: context).execute(part, firstTime: previous == nil)
        record.runs += result.ran ? 1 : 0
        record.status = result.status
        record.exitCode = result.exitCode
        record.detail = result.detail
        record.lastRun = Date()
        try save(record, for: part)
        if let message = result.finalMessage { finalMessages.append(message) }
        switch result.status {
        case .failed, .timedOut: failures.append("\(part.name): \(result.detail ?? result.status.rawValue)")
        case .runAgain: runAgain.append(part.name)
        default: break
        }
        return result.rebootNow ? "\(part.name) exited \(result.exitCode ?? 0): reboot now" : nil
    }

    /// Fetches each URL of an include part and processes what it gives as user data.
    private mutating func include(_ part: UserDataPart, once: Bool, record: UserDataPartRecord, includeDepth: Int)
        async throws -> String?
    {
        var record = record
        record.status = .runAgain
        record.lastRun = Date()
        try save(record, for: part)
        let list = IncludeList(part.content, once: once)
        var problems = list.problems
        var again = false
        let fetcher = IncludeFetcher(context: context)
        for (offset, entry) in list.entries.enumerated() {
            let parts: [UserDataPart]
            do {
                guard includeDepth < Self.maxIncludeDepth else { throw IncludeError.tooDeep(Self.maxIncludeDepth) }
                fetchedURLs += 1
                guard fetchedURLs <= IncludeFetcher.maxURLs else {
                    throw IncludeError.tooManyURLs(IncludeFetcher.maxURLs)
                }
                let body = try await fetcher.body(of: entry, state: &state, fetchedBytes: &fetchedBytes)
                let found = try plugin.parser(context).parse(body).map { sub in
                    var sub = sub
                    sub.index = "\(part.index)-url\(offset + 1).\(sub.index)"
                    return sub
                }
                parts = UserDataPlugin.ordered(found)
            } catch {
                let why = "\(error)".replacing(entry.url.absoluteString, with: entry.display)
                problems.append("\(entry.display): \(why)")
                context.logger.error(
                    "included user data not fetched",
                    metadata: ["part": "\(part.name)", "url": "\(entry.display)", "error": "\(why)"])
                continue
            }
            try context.saveState(state)  // an include-once URL's saved copy is recorded at once
            if let reboot = try await process(parts, includeDepth: includeDepth + 1) { return reboot }
            again =
                again
                || parts.contains { sub in
                    if case .run = plugin.action(for: sub, record: state.parts[sub.stateKey], context: context) {
                        return true
                    }
                    return false
                }
        }
        record.status = again ? .runAgain : problems.isEmpty ? .done : .failed
        record.detail = problems.isEmpty ? nil : problems.joined(separator: "; ")
        try save(record, for: part)
        if !problems.isEmpty { failures.append("\(part.name): " + problems.joined(separator: "; ")) }
        return nil
    }
}
