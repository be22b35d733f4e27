/// Exit codes of `guest-agent run`: a stable contract, documented in the README ("Commands").
public enum AgentExitCode {
    public static let success: Int32 = 0
    public static let pluginFailed: Int32 = 1
    public static let noMetadata: Int32 = 2
    public static let usage: Int32 = 64
    /// Another run holds the state directory's lock (EX_TEMPFAIL).
    public static let busy: Int32 = 75
    /// `status --wait`: this boot's stages have not finished (yet, or within `--timeout`).
    /// The same EX_TEMPFAIL as `busy`: "not now, try again later".
    public static let notFinished: Int32 = 75

    /// 1 when a plugin failed or could not finish (it runs again next boot, so the
    /// instance is not yet what the metadata asks: e.g. a password set but not yet
    /// published); else 0.
    public static func of(_ records: [PluginRecord]) -> Int32 {
        records.contains { $0.status == .failed || $0.status == .runAgain } ? pluginFailed : success
    }
}
