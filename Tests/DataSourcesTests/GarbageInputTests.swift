import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

@testable import DataSources

/// Generated garbage for every parser of metadata documents and listings. Each case must
/// end in a value or a typed error; a trap kills the test process, which is the failure
/// signal. Fixed seeds: a failure reproduces.
@Suite(.ownThread(.computes)) struct DataSourcesGarbageInputTests {
    static let metaKeys = [
        "uuid", "hostname", "name", "launch_index", "availability_zone", "meta", "admin_pass", "keys",
        "public_keys", "files", "path", "content_path", "data", "type", "admin_username",
    ]

    /// JSON text, usually well formed: random keys (the document's own and others) and
    /// values of every type, odd numbers and escapes, now and then cut or corrupted.
    static func json(_ rng: inout SplitMix64, depth: Int = 0) -> String {
        switch depth > 5 ? rng.below(4) : rng.below(7) {
        case 0: return "\"" + escaped(Garbage.text(&rng)) + "\""
        case 1:
            return rng.pick([
                "0", "-1", "1.5", "1e309", "-1e309", "18446744073709551616", "-9223372036854775809",
                "9223372036854775807", "1e-400", "0.1e1", "true", "false", "null",
            ])
        case 2:
            return rng.pick([
                "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\uZZZZ\"", "\"\\", "\"a\\nb\"", "\"🙂\"",
            ])
        case 3: return "\"" + escaped(Garbage.path(&rng)) + "\""
        case 4, 5:
            let entries = (0..<rng.int(in: 0...6)).map { _ -> String in
                let key = rng.chance(75) ? rng.pick(metaKeys) : escaped(Garbage.text(&rng, maxAtoms: 3))
                return "\"\(key)\":" + json(&rng, depth: depth + 1)
            }
            return "{" + entries.joined(separator: ",") + "}"
        default:
            return "[" + (0..<rng.int(in: 0...5)).map { _ in json(&rng, depth: depth + 1) }.joined(separator: ",") + "]"
        }
    }

    /// `text` as the inside of a JSON string (quotes, backslashes and controls escaped).
    static func escaped(_ text: String) -> String {
        text.unicodeScalars.map { scalar -> String in
            switch scalar {
            case "\"": return "\\\""
            case "\\": return "\\\\"
            default: return scalar.value < 0x20 ? String(format: "\\u%04x", scalar.value) : String(scalar)
            }
        }.joined()
    }

    /// A meta_data.json: mostly an object with a usable uuid (so the parser gets past it).
    static func metaDataDocument(_ rng: inout SplitMix64) -> Data {
        var text = json(&rng)
        if rng.chance(60) {
            let fields = (0..<rng.int(in: 0...8)).map { _ in "\"\(rng.pick(metaKeys))\":" + json(&rng, depth: 1) }
            text = "{\"uuid\":\"\(rng.pick(["u-1", "", "\\u0000"]))\"" + fields.map { "," + $0 }.joined() + "}"
        }
        var bytes = Array(text.utf8)
        if rng.chance(10) { bytes = Array(bytes.prefix(rng.below(bytes.count + 1))) }
        if rng.chance(10), !bytes.isEmpty { bytes[rng.below(bytes.count)] = UInt8(truncatingIfNeeded: rng.next()) }
        if rng.chance(5) { bytes = rng.bytes(rng.int(in: 0...200)) }
        return Data(bytes)
    }

    @Test func metaDataAndOtherJSONDocuments() throws {
        var rng = SplitMix64(seed: 0x6D65_7461_6A73_6F6E)
        for _ in 0..<2000 {
            let data = Self.metaDataDocument(&rng)
            do {
                let document = try OpenStackMetaDataDocument(data: data, location: "garbage/meta_data.json")
                #expect(!document.uuid.isEmpty)
            } catch let error as DataSourceError {
                #expect("\(error)".contains("garbage/meta_data.json"))
            }
            do {
                try OpenStackLoader.requireJSON(data, location: "garbage/network_data.json")
            } catch let error as DataSourceError {
                #expect(error == .malformedDocument(location: "garbage/network_data.json", reason: "not valid JSON"))
            }
        }
    }

    /// Foundation's parser refuses nesting deeper than 512 levels with an error, not a
    /// stack overflow (measured: 512 parse, 513 and 10,000 are refused), so the agent
    /// needs no depth pre-check of its own; this keeps it that way, on a pool thread.
    @Test func deeplyNestedDocumentsAreRefusedNotFatal() async throws {
        for (open, close) in [("[", "]"), ("{\"a\":", "}"), ("[{\"files\":", "}]")] {
            let deep = Data(
                (String(repeating: open, count: 10_000) + "1" + String(repeating: close, count: 10_000)).utf8)
            #expect(throws: DataSourceError.self) { try OpenStackMetaDataDocument(data: deep, location: "deep") }
            #expect(throws: DataSourceError.malformedDocument(location: "deep", reason: "not valid JSON")) {
                try OpenStackLoader.requireJSON(deep, location: "deep")
            }
            let unclosed = Data(String(repeating: open, count: 10_000).utf8)
            #expect(throws: DataSourceError.self) { try OpenStackMetaDataDocument(data: unclosed, location: "deep") }
        }
        // 500 levels inside a usable document: accepted, the nested value ignored.
        let nested =
            "{\"uuid\":\"u\",\"meta\":" + String(repeating: "[", count: 500) + String(repeating: "]", count: 500) + "}"
        #expect(try OpenStackMetaDataDocument(data: Data(nested.utf8), location: "nested").uuid == "u")
    }

    /// An OpenStack tree that serves a fixed set of (garbage) files.
    struct GarbageTree: OpenStackTree {
        let files: [String: Data]
        let listing: String?
        func read(_ relativePath: String, maxBytes: Int) async throws -> Data? {
            guard let data = files[relativePath] else { return nil }
            guard data.count <= maxBytes else {
                throw DataSourceError.documentTooLarge(location: relativePath, limit: maxBytes)
            }
            return data
        }
        func versionListing(maxBytes: Int) async throws -> String? { listing }
        func location(of relativePath: String) -> String { "garbage:" + relativePath }
    }

    /// The whole loader (version choice, documents, injected files) over random trees.
    @Test func loaderOverGarbageTrees() async throws {
        var rng = SplitMix64(seed: 0x6C6F_6164_6572)
        for _ in 0..<300 {
            let version = rng.pick([
                "latest", "2012-08-10", "2018-08-27", "2099-01-01", Garbage.text(&rng, maxAtoms: 2),
            ])
            let entries = (0..<rng.int(in: 0...4)).map { _ in
                "{\"path\":\"\(Self.escaped(Garbage.path(&rng)))\",\"content_path\":\"\(Self.escaped(rng.pick(["/content/0000", "content/0001", "/content/../x", "content/", Garbage.path(&rng)])))\"}"
            }
            let meta =
                "{\"uuid\":\"u\",\"files\":[\(entries.joined(separator: ","))],\"keys\":\(Self.json(&rng, depth: 3))}"
            var files: [String: Data] = [
                "\(version)/meta_data.json": rng.chance(90) ? Data(meta.utf8) : Self.metaDataDocument(&rng)
            ]
            for name in ["network_data.json", "vendor_data.json", "user_data"] where rng.chance(50) {
                files["\(version)/\(name)"] = Data(Self.json(&rng).utf8)
            }
            for name in ["content/0000", "content/0001"] where rng.chance(70) {
                files[name] = Data(rng.bytes(rng.below(64)))
            }
            let tree = GarbageTree(files: files, listing: rng.chance(80) ? "\(version)\n" + Garbage.text(&rng) : nil)
            let limits = DocumentLimits(
                jsonBytes: rng.pick([1 << 20, 64]), userDataBytes: 1 << 20, injectedFileBytes: rng.pick([1 << 20, 8]))
            do {
                let metadata = try await OpenStackLoader(tree: tree, limits: limits, sourceID: "garbage").load { _ in
                    .none
                }
                for file in metadata.files {
                    #expect(InjectedFilePolicy.validateGuestPath(file.path) == nil)
                }
            } catch {
                #expect(error is DataSourceError, "\(error)")
            }
        }
    }

    @Test func ec2ListingsAndVersionListings() {
        var rng = SplitMix64(seed: 0x6563_326C_6973_74)
        // Regression: "=" split into nothing and `parts[0]` trapped; "=5" was read as key 5.
        #expect(EC2Listing.publicKeys("=\n=5\n==\n0=ok\n").map(\.index) == [0])
        let pieces = [
            "0", "1", "999", "1000", "-1", "=", "==", "my-key", "fa:16:3e:00:00:01", "fa:16:3e:00:00:0g", "/", "\n",
            "\r\n", " ", "\t",
        ]
        for _ in 0..<1500 {
            let text = (0..<rng.int(in: 0...20)).map { _ in
                rng.chance(80) ? rng.pick(pieces) : Garbage.text(&rng, maxAtoms: 2)
            }.joined()
            let keys = EC2Listing.publicKeys(text)
            #expect(keys.allSatisfy { (0..<1000).contains($0.index) })
            #expect(keys.map(\.index) == keys.map(\.index).sorted())
            #expect(EC2Listing.macs(text).allSatisfy(EC2Listing.isMAC))
            let chosen = OpenStackVersions.choose(fromListing: text)
            #expect(chosen == "latest" || OpenStackVersions.known.contains(chosen))
        }
    }

    /// What the injected-file policy accepts is safe for the kernel, byte by byte.
    @Test func injectedFilePathsAndContentPaths() {
        var rng = SplitMix64(seed: 0x6669_6C65_73)
        // Regression: a combining mark glued to the '/' hid a ".." from a Character split.
        #expect(InjectedFilePolicy.validateGuestPath("/../\u{301}etc/passwd") != nil)
        #expect(InjectedFilePolicy.validateGuestPath("/a/" + String(repeating: "é", count: 128)) != nil)
        for _ in 0..<2000 {
            let path = Garbage.path(&rng)
            if InjectedFilePolicy.validateGuestPath(path) == nil {
                let parts = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst()
                #expect(path.utf8.first == UInt8(ascii: "/") && !parts.isEmpty, "\(path.debugDescription)")
                #expect(
                    !parts.contains {
                        $0.isEmpty || $0.elementsEqual(".".utf8) || $0.elementsEqual("..".utf8) || $0.count > 255
                    },
                    "\(path.debugDescription)")
                #expect(!path.utf8.contains { $0 < 0x20 || $0 == 0x7F })
            }
            if let tree = InjectedFilePolicy.contentTreePath(path) {
                #expect(tree.hasPrefix("content/") && !tree.dropFirst(8).contains("/") && !tree.contains(".."))
            }
        }
    }

    @Test func redirectLocationsAreFollowedOrRefusedByName() throws {
        var rng = SplitMix64(seed: 0x7265_6469_72)
        let request = HTTPRequestSpec(url: try #require(URL(string: "http://169.254.169.254/openstack")))
        for _ in 0..<800 {
            let location =
                rng.pick(["", "/", "//", "http://169.254.169.254", "http://evil", "https:", "\u{0}", ":80"])
                + Garbage.text(&rng, maxAtoms: 4)
            let reply = HTTPReply(
                status: rng.pick([301, 302, 303, 307, 308, 200]), body: Data(), headers: ["Location": location])
            do {
                if let target = try RedirectPolicy.target(of: reply, for: request, alreadyRedirected: rng.chance(20)) {
                    #expect(RedirectPolicy.origin(of: target) == RedirectPolicy.origin(of: request.url))
                }
            } catch {
                #expect(error is DataSourceError, "\(error)")
            }
            _ = try? reply.text(from: request.url)
        }
    }
}
