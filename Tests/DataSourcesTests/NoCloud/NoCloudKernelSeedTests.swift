import AgentBase
import Foundation
import TestSupport
import Testing

@testable import DataSources

@Suite struct NoCloudKernelSeedTests {
    @Test func theWordsCloudInitReads() throws {
        let url = try #require(NoCloudKernelSeed.parse("ds=nocloud;s=http://10.0.0.2/seed/", origin: "c"))
        #expect(url.location == .url(URL(string: "http://10.0.0.2/seed/")!))
        let net = try #require(NoCloudKernelSeed.parse("ds=nocloud-net;seedfrom=file:///srv/seed/", origin: "c"))
        #expect(net.location == .directory("/srv/seed/"))
        let named = try #require(NoCloudKernelSeed.parse("ds=nocloud;h=web-1;i=iid-42", origin: "c"))
        #expect(named.hostname == "web-1" && named.instanceID == "iid-42" && named.location == nil)
        #expect(NoCloudKernelSeed.parse("ds=configdrive", origin: "c") == nil)
        #expect(NoCloudKernelSeed.parse("ds=nocloudy;s=/x/", origin: "c") == nil)
    }

    @Test func aURLWithoutItsTrailingSlashGetsOneAndOtherSchemesAreNotGuessed() throws {
        let seed = try #require(NoCloudKernelSeed.parse("ds=nocloud;s=https://seed.example/vm1", origin: "c"))
        #expect(seed.location == .url(URL(string: "https://seed.example/vm1/")!))
        let ftp = try #require(NoCloudKernelSeed.parse("ds=nocloud;s=ftp://x/", origin: "c"))
        #expect(ftp.seedFrom == "ftp://x/" && ftp.location == nil)
        #expect(NoCloudSeedLocation("file://relative/path") == nil)
    }

    @Test func foundInTheCommandLineThenTheDMISerialUnderTheRoot() throws {
        let work = try TemporaryDirectory()
        let root = SystemRoot(work.path)
        #expect(NoCloudKernelSeed.find(root: root) == nil)
        _ = try work.write("ds=nocloud;s=file:///from/dmi/\n", to: "sys/class/dmi/id/product_serial")
        #expect(NoCloudKernelSeed.find(root: root)?.location == .directory("/from/dmi/"))
        #expect(NoCloudKernelSeed.find(root: root)?.origin == "/sys/class/dmi/id/product_serial")
        _ = try work.write(
            "BOOT_IMAGE=/vmlinuz root=/dev/vda1 ro ds=nocloud-net;s=http://10.0.2.2:8000/ quiet\n", to: "proc/cmdline")
        let seed = try #require(NoCloudKernelSeed.find(root: root))
        #expect(seed.location == .url(URL(string: "http://10.0.2.2:8000/")!))
        #expect(seed.origin == "/proc/cmdline")
    }
}
