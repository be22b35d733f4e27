import AgentBase
import Foundation
import TestSupport
import Testing

@testable import DataSources

/// Generated garbage for every NoCloud input: meta-data, network-config, the ENI text and the
/// kernel command line. Each must give a value or a named error; a trap kills the test
/// process, which is the failure signal. Fixed seeds: a failure reproduces.
@Suite(.ownThread(.computes)) struct NoCloudGarbageTests {
    static let tokens: [String] = [
        "instance-id: ", "local-hostname: ", "public-keys:", "network-interfaces: |", "- ", "  ", "\n", "\n  ",
        "version: 1", "version: 2", "config:", "type: physical", "subnets:", "type: static", "address: ",
        "192.0.2.1/24", "2001:db8::1/64", "mac_address: ", "aa:bb:cc:dd:ee:ff", "ethernets:", "bonds:", "bridges:",
        "vlans:", "match:", "addresses: [", "]", "{", "}", "'", "\"", "auto eth0", "iface eth0 inet static",
        "iface eth0 inet6 dhcp", "netmask 255.255.255.0", "bond-slaves", "bridge_ports", "ds=nocloud", ";s=",
        "http://", "file:///", ";h=", ";i=", "é", "\0", "\t",
    ]

    static func document(_ rng: inout SplitMix64) -> String {
        (0..<rng.int(in: 0...60)).map { _ in rng.chance(85) ? rng.pick(tokens) : Garbage.text(&rng, maxAtoms: 3) }
            .joined()
    }

    @Test func everyInputGivesAValueOrANamedError() throws {
        var rng = SplitMix64(seed: 0x6E6F_636C_6F75_64)
        var read = 0
        var refused = 0
        for _ in 0..<1500 {
            let seed = NoCloudSeed(
                location: "/seed", metaData: Data(Self.document(&rng).utf8),
                networkConfig: rng.chance(50) ? Data(Self.document(&rng).utf8) : nil)
            do {
                _ = try seed.metadata(
                    sourceID: "nocloud", kernel: NoCloudKernelSeed.parse(Self.document(&rng), origin: "c"))
                read += 1
            } catch let error as DataSourceError {
                #expect("\(error)".contains("/seed/meta-data"), "\(error)")
                refused += 1
            }
            _ = NetworkDescription.fromENI(Self.document(&rng))
            _ = NoCloudSeedLocation(Self.document(&rng))
        }
        // Both outcomes must occur, or the generator tests nothing.
        #expect(read > 50 && refused > 50, "read \(read), refused \(refused)")
    }
}
