import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

@testable import HostEffects
@testable import Plugins

/// Generated garbage for everything in Plugins that reads the configuration file or
/// metadata text. Each case must end in a value or a typed error: a trap would kill the
/// test process, which is the failure signal. Fixed seeds: a failure reproduces.
@Suite(.ownThread(.computes)) struct PluginsGarbageInputTests {
    static let pathKeys = ["state_dir", "log_file", "configdrive_paths"]

    /// One random `agent.conf` line: known keys with values that suit them (nearly), random
    /// keys, sections, comments, lines without a separator.
    static func configLine(_ rng: inout SplitMix64) -> String {
        let known = ConfigSchema.keys.map(\.name)
        switch rng.below(10) {
        case 0:
            return rng.pick(["[DEFAULT]", "[default]", "[x]", "[", "[]", "[ DEFAULT ]", "# comment", "; c", "", "   "])
        case 1: return Garbage.text(&rng)
        case 2: return Garbage.text(&rng, maxAtoms: 3) + rng.pick([" = ", ":", "="]) + Garbage.text(&rng)
        default:
            let key = rng.chance(90) ? rng.pick(known) : rng.pick(known).uppercased()
            return key + rng.pick([" = ", "=", ": ", " =  "]) + value(for: key, &rng)
        }
    }

    /// A value near what `key` expects, often just wrong.
    static func value(for key: String, _ rng: inout SplitMix64) -> String {
        if rng.chance(15) { return Garbage.text(&rng) }
        switch key {
        case "state_dir", "log_file": return Garbage.path(&rng)
        case "configdrive_paths":
            return (0..<rng.int(in: 0...4)).map { _ in Garbage.path(&rng) }.joined(
                separator: rng.pick([",", ", ", ",,"]))
        case "metadata_services", "plugins":
            return (0..<rng.int(in: 0...4)).map { _ in
                rng.pick([
                    "configdrive", "openstack", "ec2", "hostname", "users", "password", "ssh_keys", "files", "network",
                    "x", "",
                ])
            }
            .joined(separator: rng.pick([",", ", ", " "]))
        case "metadata_base_url", "ec2_metadata_base_url":
            return rng.pick(["http://", "https://", "ftp://", "", "http:///"]) + Garbage.text(&rng, maxAtoms: 4)
                + rng.pick(["", "/", ":99999/", ":-1/"])
        default: return rng.chance(70) ? Garbage.number(&rng) : Garbage.text(&rng, maxAtoms: 3)
        }
    }

    @Test func randomConfigFilesGiveAConfigOrANamedConfigError() {
        var rng = SplitMix64(seed: 0x6167_656E_7443_6F6E)
        let root = SystemRoot("/tmp/garbage-root")
        for _ in 0..<1500 {
            let text = (0..<rng.int(in: 1...12)).map { _ in Self.configLine(&rng) }.joined(
                separator: rng.pick(["\n", "\r\n"]))
            do {
                let config = try AgentConfig(text: text, file: "garbage.conf")
                // Accepted paths always resolve: nothing later can refuse (or trap on) them.
                for path in [config.stateDir] + config.configdrivePaths
                    + (config.logFile.isEmpty ? [] : [config.logFile])
                {
                    #expect(
                        SystemRoot.problem(with: path) == nil && (try? root.resolve(path)) != nil,
                        "accepted \(path.debugDescription)")
                }
            } catch let error as ConfigError {
                let message = "\(error)"
                #expect(message.hasPrefix("garbage.conf"), "\(message)")
                if case .badValue = error {
                    #expect(
                        !message.unicodeScalars.contains { $0.value < 0x20 },
                        "control characters in \(message.debugDescription)")
                }
            } catch {
                Issue.record("untyped error \(error) for \(text.debugDescription)")
            }
        }
    }

    /// The configuration accepts a path exactly when `SystemRoot.resolve` does, and what
    /// `resolve` returns never leaves the root.
    @Test func configurationAndResolveShareOnePathRule() throws {
        var rng = SplitMix64(seed: 0x7061_7468_7275_6C65)
        let root = SystemRoot("/srv/root")
        for _ in 0..<2000 {
            // The INI format cannot carry these in a value, so they are not a path question.
            let path = String(
                String.UnicodeScalarView(
                    Garbage.path(&rng).unicodeScalars.filter { $0 != "\n" && $0 != "\r" && $0 != "," })
            )
            .trimmingCharacters(in: .whitespaces)
            let problem = SystemRoot.problem(with: path)
            let resolved = try? root.resolve(path)
            #expect((problem == nil) == (resolved != nil), "\(path.debugDescription)")
            if let resolved {
                let below = SystemRoot.components(
                    of: String(decoding: resolved.utf8.dropFirst(root.hostPath.utf8.count), as: UTF8.self))
                #expect(resolved.utf8.starts(with: (root.hostPath + "/").utf8))  // bytes: "/" + U+0301 is one Character
                #expect(
                    !below.contains { $0.utf8.elementsEqual(".".utf8) || $0.utf8.elementsEqual("..".utf8) },
                    "\(resolved.debugDescription)")
            }
            guard !path.isEmpty else { continue }
            for key in Self.pathKeys {
                let accepted = (try? AgentConfig(text: "[DEFAULT]\n\(key) = \(path)\n", file: "p.conf")) != nil
                #expect(
                    accepted == (problem == nil),
                    "\(key) = \(path.debugDescription): \(problem ?? "accepted by resolve")")
            }
        }
    }

    /// Regression: a combining mark after a '/' joins it into one Character, so Character
    /// splits saw no ".." in "/../\u{301}etc" and checked "a/\u{301}b" as a single component,
    /// never looking at a symbolic link at "a". Paths are now split on scalars.
    @Test func aCombiningMarkAfterASlashHidesNoTraversalAndNoSymlink() throws {
        #expect(SystemRoot.problem(with: "/../\u{301}etc/passwd") == "it has a '.' or '..' component")
        #expect(throws: UnsafePathError.self) { try SystemRoot("/srv/root").resolve("/var/..\u{0}/x") }
        #expect(try SystemRoot("/srv/root").resolve("//a/\u{301}b/") == "/srv/root/a/\u{301}b")
        let root = try TemporaryDirectory(prefix: "guest-agent-garbage")
        let outside = try TemporaryDirectory(prefix: "guest-agent-outside")
        try FileManager.default.createSymbolicLink(atPath: root.path + "/a", withDestinationPath: outside.path)
        let writer = AtomicFileWriter(root: SystemRoot(root.path))
        #expect(throws: HostError.symlinkInPath(root.path + "/a")) {
            try writer.write(Data("x".utf8), to: "/a/\u{301}b")
        }
        #expect(throws: HostError.symlinkInPath(root.path + "/a")) { try writer.makeDirectory("/a/\u{301}b/c") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
        // Such a name is still a name: written where it belongs (NSString's Character-based
        // path functions put the temporary file in the wrong directory).
        #expect(SystemRoot.parentAndName(of: "/x/a/\u{301}b") == ("/x/a", "\u{301}b"))
        #expect(SystemRoot.parentAndName(of: "/x.log//") == ("/", "x.log"))
        try writer.makeDirectory("/d")
        try writer.write(Data("x".utf8), to: "/d/\u{301}b")
        #expect(root.read("d/\u{301}b") == "x")
        #expect(throws: UnsafePathError.self) { try writer.write(Data("x".utf8), to: "//") }
    }

    @Test func hostNamesAndUserNamesAreValidOrRefusedByName() {
        var rng = SplitMix64(seed: 0x6E61_6D65_7321)
        let letters = Array("abcxyzABC019-_.") + ["é", "\u{301}", "\0", " ", "\n", "🙂"]
        for _ in 0..<2000 {
            let name =
                rng.chance(60)
                ? String((0..<rng.int(in: 0...70)).map { _ in rng.pick(letters) })
                : Garbage.text(&rng)
            do {
                let result = try HostnameValidator.validate(name, netbios: rng.chance(50))
                #expect(!result.shortName.isEmpty && result.shortName.utf8.count <= 63)
                #expect(
                    result.shortName.unicodeScalars.allSatisfy {
                        $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-")
                    })
            } catch {
                #expect(error is HostnameError, "\(error)")
            }
            do {
                // What the image's useradd may judge: printable ASCII with nothing unsafe for the
                // agent (issue 29), never a leading option, NIS or comment character.
                let user = try AdminUser.validate(name)
                #expect(
                    (1...32).contains(user.utf8.count)
                        && user.unicodeScalars.allSatisfy {
                            (0x21...0x7E).contains($0.value) && !":,/".unicodeScalars.contains($0)
                        }
                        && !"-+#".contains(user.first!) && user != "." && user != ".."
                        && !user.allSatisfy(\.isNumber))
            } catch {
                #expect(error is UserError, "\(error)")
            }
        }
    }

    /// Key lines for authorized_keys, and random files around the agent's managed blocks
    /// (authorized_keys, /etc/hosts): the edit always holds exactly one block of ours.
    @Test func keyLinesAndManagedBlocksInRandomFiles() {
        var rng = SplitMix64(seed: 0x6B65_7973)
        let block = AuthorizedKeysBlock.block
        for _ in 0..<600 {
            let line =
                rng.pick(["ssh-rsa ", "ssh-ed25519 ", "command=\"x\" ssh-rsa ", "", " "])
                + Garbage.text(&rng, maxAtoms: 6)
            _ = AuthorizedKeyFilter.problem(line)
            var pieces: [String] = []
            for _ in 0..<rng.int(in: 0...8) {
                pieces.append(
                    rng.pick([
                        block.begin, block.end, HostsFile.block.begin, HostsFile.block.end, line,
                        Garbage.text(&rng, maxAtoms: 4),
                    ]))
            }
            var existing = Data(pieces.joined(separator: rng.pick(["\n", "\r\n", "\n\n"])).utf8)
            if rng.chance(20) { existing = Data(rng.bytes(rng.int(in: 0...300))) }
            let edit = block.replacing(in: existing, with: [line])
            #expect(
                block.scan([UInt8](edit.data)).blocks.count == 1, "\(existing as NSData) with \(line.debugDescription)")
            _ = HostsFile.update(
                rng.chance(10) ? nil : existing, shortName: "host", fqdn: rng.chance(50) ? "host.example" : nil)
        }
    }
}
