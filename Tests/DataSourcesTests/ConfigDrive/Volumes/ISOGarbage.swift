import TestSupport

/// Random ISO 9660 images that follow ECMA-119's layout closely enough for the reader
/// to get deep into them: descriptors at sector 16, a root directory, nested directory
/// records with Rock Ridge system use entries, every field now and then out of range.
enum ISOGarbage {
    static let sector = 2048
    static let blocks = 64
    static let names: [[UInt8]] = [
        Array("openstack".utf8), Array("latest".utf8), Array("meta_data.json".utf8), Array("OPENSTACK;1".utf8),
        Array("content".utf8), Array("0000".utf8), [], [0], [1], [0, 0x6F, 0, 0x70], Array("a.".utf8),
    ]

    static func image(_ rng: inout SplitMix64) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: blocks * sector)
        let blockSize = rng.chance(80) ? 2048 : rng.pick([512, 1024, 4096, 0, 2047])
        let rockRidge = rng.chance(50)
        // Directories live in blocks 20..<64 (in 2048-byte units), each starting with "." and "..".
        for block in 20..<blocks {
            var directory = record(
                name: [0], extent: block, size: sector, flags: 2, systemUse: rockRidge && block == 20 ? sp(&rng) : [])
            directory += record(name: [1], extent: 20, size: sector, flags: 2, systemUse: [])
            while directory.count < sector - 300, rng.chance(85) {
                directory += randomRecord(&rng, rockRidge: rockRidge)
            }
            if rng.chance(10) { directory = rng.bytes(rng.below(sector)) }
            let start = block * sector
            bytes.replaceSubrange(start..<(start + min(directory.count, sector)), with: directory.prefix(sector))
        }
        bytes.replaceSubrange((16 * sector)..<(17 * sector), with: descriptor(type: 1, &rng, blockSize: blockSize))
        if rng.chance(50) {
            var joliet = descriptor(type: 2, &rng, blockSize: blockSize)
            joliet[88] = 0x25
            joliet[89] = 0x2F
            joliet[90] = 0x45
            bytes.replaceSubrange((17 * sector)..<(18 * sector), with: joliet)
            bytes.replaceSubrange(
                (18 * sector)..<(19 * sector), with: descriptor(type: 255, &rng, blockSize: blockSize))
        } else if rng.chance(90) {
            bytes.replaceSubrange(
                (17 * sector)..<(18 * sector), with: descriptor(type: 255, &rng, blockSize: blockSize))
        }
        for _ in 0..<rng.int(in: 0...6) { bytes[rng.below(bytes.count)] = UInt8(truncatingIfNeeded: rng.next()) }
        return rng.chance(5) ? Array(bytes.prefix(rng.below(bytes.count))) : bytes
    }

    static func descriptor(type: UInt8, _ rng: inout SplitMix64, blockSize: Int) -> [UInt8] {
        var d = [UInt8](repeating: 0x20, count: sector)
        d[0] = type
        d.replaceSubrange(1..<6, with: Array("CD001".utf8))
        d[6] = 1
        let label = Array(
            rng.pick(["config-2", "CONFIG-2", "", "config-2\u{0}", Garbage.text(&rng, maxAtoms: 3)]).utf8.prefix(32))
        d.replaceSubrange(40..<(40 + label.count), with: label)
        put(
            rng.chance(80) ? blocks * sector / max(1, blockSize) : Int(truncatingIfNeeded: rng.next() & 0xFFFF_FFFF), 4,
            &d, 80)
        put(blockSize, 2, &d, 128)
        let root = record(
            name: [0], extent: rng.chance(85) ? 20 : rng.pick([0, 1, 63, 64, 0x7FFF_FFFF]),
            size: rng.chance(85) ? sector : rng.pick([0, 1, 34, 5 << 20, 0xFFFF_FFFF]), flags: 2, systemUse: [])
        d.replaceSubrange(156..<190, with: root.prefix(34))
        if rng.chance(5) { d[156] = UInt8(truncatingIfNeeded: rng.next()) }
        return d
    }

    static func randomRecord(_ rng: inout SplitMix64, rockRidge: Bool) -> [UInt8] {
        let name = rng.chance(80) ? rng.pick(names) : Array(Garbage.text(&rng, maxAtoms: 3).utf8.prefix(200))
        let extent = rng.chance(80) ? rng.int(in: 20...(blocks - 1)) : Int(truncatingIfNeeded: rng.next() & 0xFFFF_FFFF)
        let size =
            rng.chance(80)
            ? rng.pick([0, 1, 100, sector, 2 * sector]) : Int(truncatingIfNeeded: rng.next() & 0xFFFF_FFFF)
        var systemUse: [UInt8] = []
        if rockRidge || rng.chance(10) {
            for _ in 0..<rng.int(in: 0...3) { systemUse += susp(&rng) }
        }
        var bytes = record(
            name: name, extent: extent, size: size, flags: rng.pick([0, 2, 0x80, 0x82, 0xFF]), systemUse: systemUse)
        if rng.chance(5) { bytes[0] = UInt8(truncatingIfNeeded: rng.next()) }
        if rng.chance(5) { bytes[32] = UInt8(truncatingIfNeeded: rng.next()) }
        return bytes
    }

    /// ECMA-119 9.1: length, extent (both-endian), size (both-endian), flags, name, pad, system use.
    static func record(name: [UInt8], extent: Int, size: Int, flags: UInt8, systemUse: [UInt8]) -> [UInt8] {
        let name = Array(name.prefix(200))
        let pad = name.count % 2 == 0 ? 1 : 0
        let length = min(255, 33 + name.count + pad + systemUse.count)
        var r = [UInt8](repeating: 0, count: 33)
        r[0] = UInt8(length)
        put(extent, 4, &r, 2)
        put(size, 4, &r, 10)
        r[25] = flags
        r[32] = UInt8(name.count)
        r += name + [UInt8](repeating: 0, count: pad) + systemUse
        return Array(r.prefix(length))
    }

    /// The Rock Ridge `SP` entry (check bytes BE EF, then bytes to skip).
    static func sp(_ rng: inout SplitMix64) -> [UInt8] {
        Array("SP".utf8) + [7, 1, 0xBE, 0xEF, rng.chance(80) ? 0 : UInt8(truncatingIfNeeded: rng.next())]
    }

    static func susp(_ rng: inout SplitMix64) -> [UInt8] {
        switch rng.below(7) {
        case 0:
            let name = Array(Garbage.text(&rng, maxAtoms: 3).utf8.prefix(60))
            return Array("NM".utf8) + [UInt8(5 + name.count), 1, rng.pick([0, 1, 2, 4])] + name
        case 1:
            var ce = Array("CE".utf8) + [28, 1] + [UInt8](repeating: 0, count: 24)
            put(rng.chance(70) ? rng.int(in: 0...70) : Int(truncatingIfNeeded: rng.next() & 0xFFFF_FFFF), 4, &ce, 4)
            put(rng.below(4096), 4, &ce, 12)
            put(rng.chance(80) ? rng.below(300) : Int(truncatingIfNeeded: rng.next() & 0xFFFF_FFFF), 4, &ce, 20)
            return ce
        case 2:
            var cl = Array("CL".utf8) + [12, 1] + [UInt8](repeating: 0, count: 8)
            put(rng.chance(80) ? rng.int(in: 0...70) : Int(truncatingIfNeeded: rng.next() & 0xFFFF_FFFF), 4, &cl, 4)
            return cl
        case 3: return Array("RE".utf8) + [4, 1]
        case 4: return Array("ST".utf8) + [4, 1]
        case 5: return sp(&rng)
        default: return rng.bytes(rng.int(in: 0...12))
        }
    }

    static func put(_ value: Int, _ count: Int, _ bytes: inout [UInt8], _ offset: Int) {
        for index in 0..<count { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }
}
