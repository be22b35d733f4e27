import FoundationEssentials

/// The userdata plugin's saved state for one instance: one record per part, keyed by
/// `UserDataPart.stateKey` (index and content hash), so that after a reboot each part is
/// run again only when it asked to be (or is a boothook), and a changed part is new.
struct UserDataState: Codable, Equatable, Sendable {
    var parts: [String: UserDataPartRecord] = [:]
    /// `#include-once` URLs already fetched for this instance -> the SHA-256 of what they
    /// gave, the name of the saved copy (`IncludeFetcher`). Optional: states saved before
    /// includes were fetched have no such key.
    var includedOnce: [String: String]?
}

/// What happened to one part, over every boot so far.
struct UserDataPartRecord: Codable, Equatable, Sendable {
    var index: String
    var type: String
    var status: UserDataPartStatus
    /// How many times it was run (scripts, boothooks, bootcmd).
    var runs: Int = 0
    /// The last exit code as cloudbase-init's contract reads it (1001-1003 mapped back).
    var exitCode: Int32?
    /// Why it failed or was skipped, with the last output lines.
    var detail: String?
    var lastRun: Date?
}

enum UserDataPartStatus: String, Codable, Sendable {
    /// Saved just before a script starts: found on the next boot, the machine stopped
    /// while it ran, and it is not run a second time (`interrupted`).
    case started
    case done
    /// Exit 1002: run again at the next boot.
    case runAgain = "run-again"
    /// Exit 1003: reboot now, run again after it.
    case rebootThenRunAgain = "reboot-then-run-again"
    case failed
    case timedOut = "timed-out"
    case interrupted
    /// An unknown type, logged and not run.
    case skipped

    /// True when the part has nothing more to do unless it runs every boot.
    var isFinal: Bool { ![.started, .runAgain, .rebootThenRunAgain].contains(self) }
}

/// cloudbase-init's exit code contract for user data scripts. Linux exit statuses are 8
/// bits, so `exit 1001` arrives as 233 (1001 mod 256): both spellings are accepted.
enum ScriptExitCode {
    static let rebootDone: Int32 = 1001
    static let runAgain: Int32 = 1002
    static let rebootRunAgain: Int32 = 1003

    /// The code as the contract reads it: 233, 234, 235 become 1001, 1002, 1003.
    static func normalized(_ code: Int32) -> Int32 {
        switch code {
        case 233, 234, 235: code + 768
        default: code
        }
    }
}
