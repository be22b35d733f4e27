import Foundation
import TestSupport
import Testing

/// The built agent given refused or garbage configurations and command lines: it must
/// exit with its own codes (64 for usage and configuration errors), never die on a
/// signal (128 + n; a Swift trap is SIGILL, 132).
@Suite struct GarbageConfigEndToEndTests {
    static func agent(_ arguments: [String]) async throws -> ProgramResult {
        try await Program.run(BuiltProducts.path("guest-agent"), arguments, timeout: 30)
    }

    /// Regression: `log_file = /var/log/./x.log` passed validation, which only refused `..`.
    @Test(arguments: ["run", "status", "clean", "query"])
    func aDotComponentInLogFileExitsSixtyFourNamingLineAndKey(command: String) async throws {
        let work = try TemporaryDirectory(prefix: "guest-agent-garbage")
        let config = try work.write(
            "[DEFAULT]\nlog_file = /var/log/./x.log\nmetadata_services = configdrive\n", to: "agent.conf")
        let run = try await Self.agent([command, "--config", config, "--root", work.path + "/root"])
        #expect(run.status == 64, "\(run.standardError)")
        #expect(
            run.standardError.contains("agent.conf:2: log_file = '/var/log/./x.log' is not valid"),
            "\(run.standardError)")
        #expect(
            !FileManager.default.fileExists(atPath: work.path + "/root"),
            "nothing may be written before the configuration is valid")
    }

    @Test(arguments: [
        "state_dir = /var/lib/./guest-agent", "state_dir = /var/lib/../guest-agent",
        "configdrive_paths = /dev/sr0, relative/path",
        "configdrive_paths = /dev/sr0, /mnt/./config", "log_file = /var/log/../\u{301}x.log",
        "state_dir = /" + String(repeating: "d", count: 256),
    ])
    func everyPathKeyUsesTheResolveRule(line: String) async throws {
        let work = try TemporaryDirectory(prefix: "guest-agent-garbage")
        let config = try work.write("[DEFAULT]\n\(line)\n", to: "agent.conf")
        let run = try await Self.agent(["status", "--config", config, "--root", work.path])
        #expect(run.status == 64, "\(run.standardError)")
        #expect(run.standardError.contains("agent.conf:2: \(line.prefix { $0 != " " }) = '"), "\(run.standardError)")
    }

    /// Random configuration files and command lines (`status` reads the configuration and
    /// the state directory, and never touches the network).
    @Test func randomConfigurationsAndCommandLinesNeverKillTheAgent() async throws {
        let work = try TemporaryDirectory(prefix: "guest-agent-garbage")
        var rng = SplitMix64(seed: 0x6532_6567_6172_6261)
        let keys = [
            "state_dir", "log_file", "configdrive_paths", "retry_count", "plugins", "username", "request_timeout",
            "log_level",
        ]
        for index in 0..<24 {
            var text = (0..<rng.int(in: 1...4)).map { _ in
                rng.pick(keys) + " = " + (rng.chance(50) ? Garbage.path(&rng) : Garbage.text(&rng))
            }
            .joined(separator: "\n")
            if rng.chance(15) { text = String(decoding: rng.bytes(200), as: UTF8.self) }
            var data = Data(text.utf8)
            if rng.chance(10) { data += Data([0xFF, 0xFE, 0x00]) }  // not UTF-8
            let config = work.path + "/agent-\(index).conf"
            try data.write(to: URL(fileURLWithPath: config))
            var arguments = [
                "status", "--config", config, "--root",
                rng.chance(80)
                    ? work.path + "/root"
                    : rng.pick(["relative-root", "/nonexistent/\u{301}x", "/" + String(repeating: "r", count: 5000)]),
            ]
            if rng.chance(20) { arguments += ["--log-level", rng.pick(["debug", "loud", "", "\u{301}"])] }
            let run = try await Self.agent(arguments)
            #expect(
                [0, 1, 64].contains(run.status),
                "exit \(run.status) for \(text.debugDescription) \(arguments): \(run.standardError)")
        }
        for arguments in [
            ["decrypt-password", "--key", "/nonexistent"], ["decrypt-password", "--key", work.path, "--padding", "x"],
            ["run", "--config", "/nonexistent/agent.conf"], ["frobnicate"], ["status", "--root"],
        ] {
            let run = try await Self.agent(arguments)
            #expect(run.status < 128, "exit \(run.status) for \(arguments): \(run.standardError)")
        }
    }
}
