import AgentBase
import Crypto
import DataSources
import FoundationEssentials

/// What one part of the user data is, decided from its MIME type or, for a user data that
/// is not MIME and for `text/plain` parts, from its first line (as cloud-init does).
enum UserDataPartKind: Equatable, Sendable {
    /// A `#!` script (`text/x-shellscript`).
    case script
    /// `#cloud-config` YAML (`text/cloud-config`).
    case cloudConfig
    /// A cloud-config part's `runcmd`, split off to run after the scripts, where cloud-init's
    /// final stage runs it (its scripts directory in name order: `part-001`... then `runcmd`).
    case runcmd
    /// `#cloud-boothook` (`text/cloud-boothook`): runs at every boot.
    case boothook
    /// `#include` / `#include-once` URL lists (`text/x-include-url`, `text/x-include-once-url`).
    case include(once: Bool)
    /// `#part-handler` (`text/part-handler`): Python code cloud-init would import; refused.
    case partHandler
    /// PowerShell or cmd user data (`#ps1_sysnative`, `rem cmd`, `<powershell>`...): the
    /// marker that was recognised. Not for this platform: the part fails loudly.
    case windows(String)
    /// A type this agent does not handle: skipped with a warning naming it.
    case unknown(String)
    /// The part could not be decoded (bad base64, unknown charset...): it fails by name.
    case invalid(String)

    /// A short name for logs, plans and the saved state.
    var label: String {
        switch self {
        case .script: "script"
        case .cloudConfig: "cloud-config"
        case .runcmd: "runcmd"
        case .boothook: "boothook"
        case .include(let once): once ? "include-once" : "include"
        case .partHandler: "part-handler"
        case .windows(let marker): "windows (\(marker))"
        case .unknown(let type): "unknown (\(type))"
        case .invalid: "invalid"
        }
    }
}

/// One part of the user data, after gzip, MIME and transfer decoding.
struct UserDataPart: Equatable, Sendable {
    /// Position in the user data: "1", "2", and "2.1" for the first part of a nested multipart.
    var index: String
    /// The MIME type as declared, or as detected from the first line.
    var contentType: String
    /// The `filename` of its Content-Disposition, when given (shown in logs, never used as a path).
    var filename: String?
    var kind: UserDataPartKind
    /// The decoded bytes (text parts in UTF-8).
    var content: Data
    /// Top-level cloud-config keys this part must not apply: a vendor data part's keys that
    /// the user data sets too (the user's win, as in cloud-init). Empty for user data.
    var overriddenKeys: Set<String> = [] {
        didSet { parsed = nil }
    }
    /// The cloud-config document, read once (`readingCloudConfig()`), so that the plan, the
    /// runcmd split and the applier do not parse the YAML again.
    private(set) var parsed: ParsedCloudConfig?

    /// This part with its cloud-config read (a no-op for other kinds).
    func readingCloudConfig() -> UserDataPart {
        guard kind == .cloudConfig || kind == .runcmd, parsed == nil else { return self }
        var part = self
        part.parsed = ParsedCloudConfig(Result { try CloudConfig(content, ignoring: overriddenKeys) })
        return part
    }

    /// The part's cloud-config: as read once, or read now for a part that was not.
    func cloudConfig() throws -> CloudConfig {
        try (parsed ?? readingCloudConfig().parsed ?? ParsedCloudConfig(.failure(CloudConfigError.notUTF8))).get()
    }

    /// SHA-256 of the content, hex: with the index, what identifies the part across boots.
    var sha256: String { PlainFormat.hex(SHA256.hash(data: content)) }

    /// The key of this part's saved state: the same bytes at the same position.
    var stateKey: String { "\(index):\(sha256)" }

    /// "part 2 (text/x-shellscript, setup.sh)", for every message about this part.
    var name: String {
        "part \(index) (\(contentType)" + (filename.map { ", \(TextPreview.line($0))" } ?? "") + ")"
    }
}

/// A cloud-config document as read, or why it could not be (the reader's message).
struct ParsedCloudConfig: Equatable, Sendable {
    let config: CloudConfig?
    let problem: ReadProblem?

    struct ReadProblem: Error, Equatable, Sendable, CustomStringConvertible {
        let description: String
    }

    init(_ result: Result<CloudConfig, any Error>) {
        switch result {
        case .success(let config): (self.config, problem) = (config, nil)
        case .failure(let error): (config, problem) = (nil, ReadProblem(description: "\(error)"))
        }
    }

    func get() throws -> CloudConfig {
        if let config { return config }
        throw problem ?? ReadProblem(description: "cloud-config not read")
    }
}
