import DataSources
import Foundation
import TestSupport
import Testing

/// Random and damaged ISO 9660 and FAT images, written to a temporary file and read with
/// the config drive volume readers. Each image must give values or `VolumeReadError`s
/// (or `DataSourceError`s), never a trap, a hang or an unbounded allocation.
@Suite(.ownThread(.computes)) struct GarbageVolumeTests {
    /// Opens `bytes` every way the agent does and walks what it finds, within a budget.
    static func exercise(_ bytes: [UInt8], at path: String, sparseSize: Int? = nil) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        if let sparseSize { #expect(truncate(path, off_t(sparseSize)) == 0) }
        _ = typed { try VolumeProbe.identify(path: path) }
        if let volume = typed({ try ISO9660Volume(path: path) }) { walk(volume) }
        if let volume = typed({ try FATVolume(path: path) }) { walk(volume) }
    }

    /// The value, or nil after checking that the error is one of the readers' own.
    static func typed<T>(_ body: () throws -> T) -> T? {
        do {
            return try body()
        } catch {
            #expect(error is VolumeReadError || error is DataSourceError, "untyped \(type(of: error)): \(error)")
            return nil
        }
    }

    /// Lists and reads breadth-first from the root (at most 40 operations), then the paths
    /// the agent itself reads.
    static func walk(_ volume: any ConfigDriveVolume) {
        var queue = [""]
        var budget = 40
        while !queue.isEmpty, budget > 0 {
            let directory = queue.removeFirst()
            budget -= 1
            for name in (typed { try volume.listDirectory(directory) } ?? nil)?.prefix(6) ?? [] {
                let path = directory.isEmpty ? name : directory + "/" + name
                budget -= 1
                _ = typed { try volume.readFile(path, maxBytes: 1 << 16) }
                if path.split(separator: "/").count < 5 { queue.append(path) }
            }
        }
        for path in ["openstack", "openstack/latest/meta_data.json", "openstack/content/0000", "a/b/c/d/e/f"] {
            _ = typed { try volume.listDirectory(path) }
            _ = typed { try volume.readFile(path, maxBytes: 1 << 20) }
        }
    }

    static func put(_ value: Int, le count: Int, into bytes: inout [UInt8], at offset: Int) {
        for index in 0..<count { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }

    static func mutate(_ bytes: inout [UInt8], _ rng: inout SplitMix64, in range: Range<Int>, times: Int) {
        guard !range.isEmpty else { return }
        for _ in 0..<times { bytes[range.lowerBound + rng.below(range.count)] = UInt8(truncatingIfNeeded: rng.next()) }
    }

    @Test func randomBytesAreNotVolumes() throws {
        let work = try TemporaryDirectory(prefix: "guest-agent-garbage")
        var rng = SplitMix64(seed: 0x7261_6E64_6F6D)
        for index in 0..<100 {
            var bytes = rng.bytes(rng.pick([0, 1, 511, 512, 2048, 40_000, 100_000]))
            // Half get the signatures, so the readers go past the first check.
            if rng.chance(50), bytes.count >= 16 * 2048 + 6 {
                bytes.replaceSubrange((16 * 2048)..<(16 * 2048 + 6), with: [1] + Array("CD001".utf8))
            }
            if rng.chance(50), bytes.count >= 512 {
                bytes[510] = 0x55
                bytes[511] = 0xAA
            }
            try Self.exercise(bytes, at: work.path + "/random-\(index).img")
        }
    }

    /// ISO images built from their specification with random fields: descriptors, root
    /// records, directory records with Rock Ridge entries (SP, NM, CE, CL, RE, ST).
    @Test func synthesizedISO9660Images() throws {
        let work = try TemporaryDirectory(prefix: "guest-agent-garbage")
        var rng = SplitMix64(seed: 0x6973_6F39_3636_30)
        for index in 0..<300 {
            try Self.exercise(ISOGarbage.image(&rng), at: work.path + "/iso-\(index).img")
        }
    }

    /// FAT12/16/32 boot sectors with random geometry, random FATs (loops, chains out of
    /// range) and directories with random short and long-name entries.
    @Test func synthesizedFATImages() throws {
        let work = try TemporaryDirectory(prefix: "guest-agent-garbage")
        var rng = SplitMix64(seed: 0x6661_7431_36)
        for index in 0..<300 {
            let (bytes, sparse) = FATGarbage.image(&rng)
            try Self.exercise(bytes, at: work.path + "/fat-\(index).img", sparseSize: sparse)
        }
    }

    /// Real drives from genisoimage and mkfs.vfat with bytes changed where the structures
    /// are (descriptors, FATs, directories).
    @Test(.enabled(if: ConfigDriveImages.toolsPresent, "needs genisoimage, mkfs.vfat and mtools"))
    func damagedRealImages() async throws {
        let work = try TemporaryDirectory(prefix: "guest-agent-garbage")
        let stage = try ConfigDriveImages.stage(in: work)
        try await ConfigDriveImages.iso(from: stage, to: work.path + "/real.iso")
        try await ConfigDriveImages.vfat(from: stage, to: work.path + "/real.vfat", megabytes: 1)
        var rng = SplitMix64(seed: 0x7265_616C)
        for (name, structures) in [("real.iso", 32_768..<(32_768 + 131_072)), ("real.vfat", 0..<131_072)] {
            let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: work.path + "/" + name)))
            let range = structures.clamped(to: 0..<original.count)
            for index in 0..<150 {
                var bytes = original
                Self.mutate(&bytes, &rng, in: range, times: rng.int(in: 1...24))
                try Self.exercise(bytes, at: work.path + "/damaged-\(index)-" + name)
            }
        }
    }
}
