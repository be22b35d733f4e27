import AgentBase
import Crypto
import DataSources
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Fetches the user data an include part names, with the HTTP client the sources use
/// (`context.http`: the same timeouts, retries and total budget per request, redirects
/// only to the same scheme, host and port, no proxy, no compressed bodies), each body
/// capped at the user data size (`DocumentLimits.userDataBytes`) and all of one boot's
/// bodies together at `maxTotalBytes`.
///
/// `#include-once`: the body is saved root-only (0600) as
/// `state_dir/userdata/includes/<sha256>` and its hash recorded in the instance's
/// `UserDataState`; later boots of the same instance read that copy and never the URL
/// again (a pre-signed URL works once), a new instance fetches it anew.
struct IncludeFetcher: Sendable {
    let context: PluginContext
    /// The most bytes all fetched bodies of one boot may add up to.
    static let maxTotalBytes = 4 * DocumentLimits.standard.userDataBytes
    /// The most URLs one boot fetches (or reads back), all include parts together.
    static let maxURLs = 32

    var directory: String { context.config.run.stateDir + "/userdata/includes" }

    /// The body of `entry`: from the saved copy when it is an include-once URL already
    /// fetched for this instance (`state`), else from the network. `fetchedBytes` is this
    /// boot's running total, checked against `maxTotalBytes`.
    func body(of entry: IncludeEntry, state: inout UserDataState, fetchedBytes: inout Int) async throws -> Data {
        let key = entry.url.absoluteString
        if entry.once, let hash = state.includedOnce?[key] {
            guard let saved = try context.writer.read(directory + "/" + hash) else {
                throw IncludeError.savedCopyMissing(try context.root.resolve(directory + "/" + hash))
            }
            try count(saved.count, &fetchedBytes)
            context.logger.info(
                "include-once: using the copy saved at an earlier boot", metadata: ["url": "\(entry.display)"])
            return saved
        }
        let reply = try await context.http.send(
            HTTPRequestSpec(url: entry.url), maxBytes: DocumentLimits.standard.userDataBytes)
        guard reply.status == 200 else { throw IncludeError.status(reply.status) }
        try count(reply.body.count, &fetchedBytes)
        context.logger.info(
            "fetched included user data", metadata: ["url": "\(entry.display)", "bytes": "\(reply.body.count)"])
        if entry.once {
            let hash = PlainFormat.hex(SHA256.hash(data: reply.body))
            try context.writer.makeDirectory(directory, mode: 0o700)
            try context.writer.write(reply.body, to: directory + "/" + hash, mode: 0o600)
            state.includedOnce = (state.includedOnce ?? [:]).merging([key: hash]) { $1 }
        }
        return reply.body
    }

    private func count(_ bytes: Int, _ total: inout Int) throws {
        total += bytes
        guard total <= Self.maxTotalBytes else { throw IncludeError.totalTooLarge(Self.maxTotalBytes) }
    }
}

/// Why one included URL gave nothing to run (the URL itself is named by the caller).
enum IncludeError: Error, CustomStringConvertible, Equatable {
    case status(Int)
    case totalTooLarge(Int)
    case savedCopyMissing(String)
    case tooDeep(Int)
    case tooManyURLs(Int)
    case notAllowed

    var description: String {
        switch self {
        case .status(let status): "answered HTTP \(status)"
        case .totalTooLarge(let limit):
            "included user data adds up to more than \(limit) bytes this boot: refused"
        case .savedCopyMissing(let path):
            "fetched once at an earlier boot, but its saved copy \(path) is gone; not fetched a second time"
        case .tooDeep(let limit): "includes nest more than \(limit) levels: not fetched"
        case .tooManyURLs(let limit): "more than \(limit) include URLs in one boot: not fetched"
        case .notAllowed: "include URLs are not fetched: set userdata_allow_include = true to allow it"
        }
    }
}
