import Foundation
import TestSupport
import Testing

@testable import DataSources

/// Generated drives and served files, shaped like Wakame-vdc's and SlapOS's but with garbage
/// values (and bytes that are not text) where the agent reads: reading must end in metadata
/// or a typed error, never a trap. Fixed seeds: a failure reproduces.
@Suite struct WakameAndSlapOSGarbageTests {
    static let nic = "network/interfaces/macs/52-54-00-12-34-56/"
    static let keys = [
        "instance-id", "local-hostname", "placement/availability-zone", "public-keys/0/openssh-key",
        "public-keys/1/openssh-key", nic + "mac", nic + "local-ipv4s", nic + "x-netmask", nic + "x-gateway",
        nic + "x-dns", nic + "x-metric", "network/interfaces/macs/zz/mac", "first-boot",
    ]

    static func value(_ rng: inout SplitMix64) -> Data {
        if rng.chance(10) { return Data(rng.bytes(rng.int(in: 0...40))) }
        return Data((rng.chance(30) ? Garbage.number(&rng) : Garbage.text(&rng)).utf8)
    }

    @Test func garbageDriveValuesEndInMetadataOrATypedError() throws {
        var rng = SplitMix64(seed: 2701)
        var read = 0
        for _ in 0..<150 {
            let directory = try TemporaryDirectory()
            for key in Self.keys where rng.chance(key == "instance-id" ? 95 : 70) {
                let path = directory.path + "/meta-data/" + key
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Self.value(&rng).write(to: URL(fileURLWithPath: path))
            }
            try Self.value(&rng).write(to: URL(fileURLWithPath: directory.path + "/user-data"))
            let drive = WakameDrive(
                volume: DirectoryVolume(directory: directory.path, label: "METADATA"), location: "/dev/vdb",
                limits: .standard)
            do {
                if try drive.metadata(sourceID: "wakame") != nil { read += 1 }
            } catch is DataSourceError {
                continue
            }
        }
        #expect(read > 50, "most generated drives carry an instance id and read")
    }

    @Test func garbageServedFilesEndInMetadataOrATypedError() {
        var rng = SplitMix64(seed: 2702)
        var read = 0
        for _ in 0..<400 {
            let files = SlapOSFiles(
                hostname: rng.chance(80) ? Self.value(&rng) : nil,
                authorizedKeys: rng.chance(80) ? Self.value(&rng) : nil, data: rng.chance(80) ? Self.value(&rng) : nil,
                bootstrapScript: rng.chance(80) ? Self.value(&rng) : nil)
            guard files.isPresent else { continue }
            if (try? files.metadata(sourceID: "slapos", location: "http://10.0.2.100/")) != nil { read += 1 }
        }
        #expect(read > 100)
    }
}
