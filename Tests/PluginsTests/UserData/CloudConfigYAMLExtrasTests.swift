import DataSources
import Foundation
import TestSupport
import Testing

@testable import Plugins

/// Real documents cloud-init applies and this agent refused (issue 25): `write_files`
/// content as `!!binary` (cloud-init's own examples), and a key given twice (PyYAML keeps
/// the last value).
@Suite struct CloudConfigYAMLExtrasTests {
    /// Bytes no YAML text scalar can carry: NUL, high bytes, a gzip stream.
    static let binaryBytes = Data([0x00, 0xFF, 0x1F, 0x8B, 0x08, 0x0A, 0x7F, 0x80])

    @Test func binaryContentIsWrittenByteForByte() async throws {
        let encoded = Self.binaryBytes.base64EncodedString()
        let config = try CloudConfig(
            Data(
                """
                #cloud-config
                write_files:
                  - path: /opt/blob
                    content: !!binary |
                      \(encoded)
                  - path: /opt/zipped
                    encoding: gzip
                    content: !!binary \(try await Gzip.compress(Data("unzipped\n".utf8)).base64EncodedString())
                """.utf8))
        #expect(config.writeFiles.map(\.content) == [Self.binaryBytes, Data("unzipped\n".utf8)])
    }

    @Test func aKeyGivenTwiceKeepsTheLastValueAndSaysWhere() throws {
        let config = try CloudConfig(Data("#cloud-config\nhostname: first\ntimezone: UTC\nhostname: second\n".utf8))
        #expect(config.hostname == "second")
        #expect(config.warnings == ["line 4, column 1: duplicated key \"hostname\": the last value is used"])
    }
}

@Suite(
    .serialized,
    .enabled(if: Program.isRoot, "needs root (bind mount, chroot): skipped; CI runs as root"))
struct CloudConfigYAMLExtrasBootTests {
    @Test func aBinaryFileAndARepeatedKeyAreAppliedAndTheRepeatIsLogged() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let yaml = """
            #cloud-config
            write_files:
              - path: /etc/app/blob
                permissions: '0600'
                content: !!binary |
                  \(CloudConfigYAMLExtrasTests.binaryBytes.base64EncodedString())
            runcmd:
              - echo first >> /tmp/marks
            runcmd:
              - echo last >> /tmp/marks
            """
        let boots = UserDataBoots(root: root.path, userData: Data(yaml.utf8))
        let first = await boots.boot()
        #expect(first.status == .done, "\(first)")
        #expect(
            FileManager.default.contents(atPath: root.path + "/etc/app/blob") == CloudConfigYAMLExtrasTests.binaryBytes)
        #expect(boots.marks("/tmp/marks") == ["last"])
        #expect(
            boots.logs.text.contains("line 9, column 1: duplicated key \"runcmd\": the last value is used"),
            "\(boots.logs.text)")
    }
}
