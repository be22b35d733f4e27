import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

/// The local NoCloud places, each with a root of its own (never this machine's /var/lib/cloud).
@Suite struct NoCloudSourceTests {
    static let demoInstance = "iid-nocloud-demo-0001"

    static func source(_ root: TemporaryDirectory, paths: [String] = []) -> NoCloudSource {
        NoCloudSource(root: SystemRoot(root.path), configuredPaths: paths)
    }

    /// Copies the fixture seed to `relative` under the root.
    static func seed(_ root: TemporaryDirectory, at relative: String, metaData: String? = nil) throws {
        let target = root.path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: BuiltProducts.defaultFixtures + "/nocloud", toPath: target)
        if let metaData { try Data(metaData.utf8).write(to: URL(fileURLWithPath: target + "/meta-data")) }
    }

    /// The fixture seed's key, read from the key the fixtures name.
    static func demoKeyLine() throws -> String {
        try String(contentsOfFile: BuiltProducts.defaultFixtures + "/../keys/demo_rsa.pub", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func nothingAnywhereIsNotPresent() async throws {
        let root = try TemporaryDirectory()
        #expect(try await Self.source(root, paths: ["/missing/seed"]).load() == nil)
    }

    @Test(arguments: ["var/lib/cloud/seed/nocloud", "var/lib/cloud/seed/nocloud-net"])
    func theSeedDirectoriesAreRead(directory: String) async throws {
        let root = try TemporaryDirectory()
        try Self.seed(root, at: directory)
        let metadata = try #require(try await Self.source(root).load())
        #expect(metadata.sourceID == "nocloud")
        #expect(metadata.instanceID == Self.demoInstance)
        #expect(metadata.hostname == "nocloud-demo")
        #expect(metadata.publicKeys.map(\.line) == [try Self.demoKeyLine()])
        #expect(metadata.userData.map { String(decoding: $0, as: UTF8.self) }?.hasPrefix("#cloud-config") == true)
        #expect(metadata.sourceLocation == "/" + directory)
    }

    @Test func aConfiguredDirectoryComesBeforeTheSeedDirectories() async throws {
        let root = try TemporaryDirectory()
        try Self.seed(root, at: "var/lib/cloud/seed/nocloud")
        try Self.seed(root, at: "srv/mine", metaData: "instance-id: iid-configured\n")
        let metadata = try #require(try await Self.source(root, paths: ["/absent", "/srv/mine"]).load())
        #expect(metadata.instanceID == "iid-configured")
        #expect(metadata.sourceLocation == "/srv/mine")
    }

    @Test func aDirectoryWithoutMetaDataIsNotASeed() async throws {
        let root = try TemporaryDirectory()
        try root.write("#cloud-config\n", to: "var/lib/cloud/seed/nocloud/user-data")
        #expect(try await Self.source(root).load() == nil)
    }

    @Test func brokenMetaDataIsNamed() async throws {
        let root = try TemporaryDirectory()
        try Self.seed(root, at: "var/lib/cloud/seed/nocloud", metaData: "instance-id: [unclosed\n")
        await #expect {
            try await Self.source(root).load()
        } throws: { "\($0)".contains("/var/lib/cloud/seed/nocloud/meta-data") }
    }

    @Test func theKernelNamesADirectorySeedAndOverridesInstanceAndHostName() async throws {
        let root = try TemporaryDirectory()
        try Self.seed(root, at: "srv/seed")
        try Self.seed(root, at: "var/lib/cloud/seed/nocloud", metaData: "instance-id: iid-seed-dir\n")
        try root.write("ro ds=nocloud;s=file:///srv/seed/;h=from-kernel;i=iid-kernel quiet\n", to: "proc/cmdline")
        let metadata = try #require(try await Self.source(root).load())
        #expect(metadata.instanceID == "iid-kernel")
        #expect(metadata.hostname == "from-kernel")
        #expect(metadata.publicKeys.count == 1)
        #expect(metadata.sourceLocation == "/srv/seed")
    }

    @Test func aKernelSeedWithoutFilesIsAnInstanceOfItsOwn() async throws {
        let root = try TemporaryDirectory()
        try root.write("ds=nocloud;i=iid-only-kernel;h=bare\n", to: "sys/class/dmi/id/product_serial")
        let metadata = try #require(try await Self.source(root).load())
        #expect(metadata.instanceID == "iid-only-kernel")
        #expect(metadata.hostname == "bare")
        #expect(metadata.userData == nil)
        #expect(metadata.sourceLocation == "/sys/class/dmi/id/product_serial")
    }

    @Test func aURLSeedIsLeftToTheNetworkStage() async throws {
        let root = try TemporaryDirectory()
        try Self.seed(root, at: "var/lib/cloud/seed/nocloud")
        try root.write("ds=nocloud-net;s=http://127.0.0.1:9/\n", to: "proc/cmdline")
        #expect(try await Self.source(root).load() == nil)
        #expect(
            NoCloudURLSeedSource(root: SystemRoot(root.path), client: MetadataHTTPClient()) != nil,
            "the network stage's source has it")
    }
}
