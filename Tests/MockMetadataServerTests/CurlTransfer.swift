import Foundation
import TestSupport

/// One transfer by the real `curl`: the response head from `--dump-header` and the raw
/// body from `--output`, both through files so that binary bodies stay byte-exact.
struct CurlTransfer {
    var exitCode: Int32
    /// The status line's code; 0 when no head arrived.
    var status: Int
    /// Header fields by lower-cased name (the last one wins).
    var headers: [String: String]
    /// The body bytes curl wrote (empty when `output` sent them elsewhere).
    var body: Data
    var standardError: String
}

extension Curl {
    /// Runs `curl --silent --show-error` with no proxy, `options` and `url`; the head and
    /// body go to files in `directory` (or the body to `output`, e.g. `/dev/null`).
    static func transfer(
        _ url: String, _ options: [String] = [], in directory: String, output: String? = nil,
        timeout: Double = 15
    ) async throws -> CurlTransfer {
        let name = UUID().uuidString
        let headerFile = "\(directory)/curl-\(name).head"
        let bodyFile = output ?? "\(directory)/curl-\(name).body"
        let arguments =
            ["--silent", "--show-error", "--noproxy", "*", "--dump-header", headerFile, "--output", bodyFile]
            + options + [url]
        let result = try await Program.tool("curl", arguments, timeout: timeout)
        let head = String(decoding: FileManager.default.contents(atPath: headerFile) ?? Data(), as: UTF8.self)
        let lines = head.split(whereSeparator: \.isNewline).map(String.init)
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let status = lines.first.flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) } ?? 0
        let body = output == nil ? FileManager.default.contents(atPath: bodyFile) ?? Data() : Data()
        return CurlTransfer(
            exitCode: result.status, status: status, headers: headers, body: body,
            standardError: result.standardError)
    }

    /// Runs `script` with `sh -c`; `arguments` are its `$1`, `$2`... (never spliced into
    /// the script text).
    static func shell(_ script: String, _ arguments: [String], timeout: Double = 30) async throws -> ProgramResult {
        try await Program.tool("sh", ["-c", script, "sh"] + arguments, timeout: timeout)
    }
}
