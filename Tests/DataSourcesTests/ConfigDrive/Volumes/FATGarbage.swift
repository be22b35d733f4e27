import TestSupport

/// Random FAT volumes laid out as Microsoft's specification says (boot sector, FATs, root
/// directory, data clusters) with random geometry, FAT entries and directory entries.
/// FAT32 needs at least 65,525 clusters, so those images are sparse files.
enum FATGarbage {
    static let names: [[UInt8]] = [
        Array("OPENSTACK  ".utf8), Array("LATEST     ".utf8), Array("META_D~1JSO".utf8),
        Array("CONFIG-2   ".utf8), Array(".          ".utf8), Array("..         ".utf8),
        [0x05] + Array("ABCDEFGHIJ".utf8), [0xE5] + Array("DELETED   ".utf8),
    ]

    /// The bytes to write, and the size to extend the file to (sparse) when larger.
    static func image(_ rng: inout SplitMix64) -> ([UInt8], Int?) {
        let fat32 = rng.chance(25)
        let bytesPerSector = rng.chance(85) ? 512 : rng.pick([1024, 2048, 4096, 0, 513])
        let unit = max(bytesPerSector, 512)
        let sectorsPerCluster = rng.chance(85) ? rng.pick([1, 2, 4]) : rng.pick([0, 3, 128])
        let reserved = rng.chance(90) ? rng.int(in: 1...4) : 0
        let fatCount = rng.chance(90) ? rng.int(in: 1...2) : rng.pick([0, 5])
        let fatSectors = rng.chance(90) ? rng.int(in: 1...(fat32 ? 520 : 8)) : rng.pick([0, 0xFFFF])
        let rootEntries = fat32 ? 0 : (rng.chance(85) ? 16 * rng.int(in: 1...32) : rng.pick([0, 1, 0xFFFF]))
        let totalSectors =
            fat32
            ? 66_000 * max(1, sectorsPerCluster) + 600 : (rng.chance(85) ? 512 : rng.pick([0, 1, 0xFFFF, 100_000]))
        let written = min(totalSectors, 600) * unit
        var bytes = [UInt8](repeating: 0, count: max(written, 512))

        put(bytesPerSector, 2, &bytes, 11)
        bytes[13] = UInt8(truncatingIfNeeded: sectorsPerCluster)
        put(reserved, 2, &bytes, 14)
        bytes[16] = UInt8(truncatingIfNeeded: fatCount)
        put(rootEntries, 2, &bytes, 17)
        if totalSectors < 0x10000 { put(totalSectors, 2, &bytes, 19) } else { put(totalSectors, 4, &bytes, 32) }
        if fat32 {
            put(fatSectors, 4, &bytes, 36)
            put(rng.chance(80) ? 2 : Int(truncatingIfNeeded: rng.next() & 0xFFFF_FFFF), 4, &bytes, 44)
            bytes[66] = 0x29
            bytes.replaceSubrange(71..<82, with: Array("config-2   ".utf8))
        } else {
            put(fatSectors, 2, &bytes, 22)
            bytes[38] = 0x29
            bytes.replaceSubrange(43..<54, with: Array(rng.pick(["config-2   ", "CONFIG-2   ", "NO NAME    "]).utf8))
        }
        bytes[510] = 0x55
        bytes[511] = 0xAA

        // FATs: random entries, many of them small cluster numbers (chains, loops) or ends.
        // Only the first 4 KiB: the directories point at clusters 0...40, and filling a
        // whole FAT32 table in a debug build would cost seconds.
        let fatStart = reserved * unit
        for offset in stride(
            from: fatStart, to: min(bytes.count, fatStart + min(4096, fatCount * fatSectors * unit)), by: 2)
        where offset + 1 < bytes.count {
            let value =
                rng.chance(60)
                ? rng.int(in: 0...40) : rng.pick([0xFFF8, 0xFFFF, 0x0FF8, 0, Int(truncatingIfNeeded: rng.next())])
            put(value, 2, &bytes, offset)
        }
        // The root directory region (FAT12/16) and the first data clusters get entries.
        let regionStart = fatStart + fatCount * fatSectors * unit
        var offset = regionStart
        while offset + 32 <= bytes.count, offset < regionStart + 24 * 1024 {
            let entries = directoryEntries(&rng)
            let count = min(entries.count, bytes.count - offset)
            bytes.replaceSubrange(offset..<(offset + count), with: entries.prefix(count))
            offset += max(count, 32)
        }
        for _ in 0..<rng.int(in: 0...6) { bytes[rng.below(bytes.count)] = UInt8(truncatingIfNeeded: rng.next()) }
        return (bytes, totalSectors * unit > written && (fat32 || rng.chance(50)) ? totalSectors * unit : nil)
    }

    /// One short entry, sometimes after VFAT long-name entries (checksum right or wrong).
    static func directoryEntries(_ rng: inout SplitMix64) -> [UInt8] {
        var short = [UInt8](repeating: 0, count: 32)
        let name = rng.chance(80) ? rng.pick(names) : rng.bytes(11)
        short.replaceSubrange(0..<11, with: name.prefix(11))
        short[11] = rng.pick([0x10, 0x20, 0x08, 0x00, 0x0F, 0x3F, UInt8(truncatingIfNeeded: rng.next())])
        short[12] = rng.pick([0, 0x08, 0x10, 0x18])
        let cluster = rng.chance(80) ? rng.int(in: 0...40) : Int(truncatingIfNeeded: rng.next() & 0x0FFF_FFFF)
        put(cluster & 0xFFFF, 2, &short, 26)
        put(cluster >> 16, 2, &short, 20)
        put(rng.chance(80) ? rng.int(in: 0...5000) : Int(truncatingIfNeeded: rng.next() & 0xFFFF_FFFF), 4, &short, 28)
        guard rng.chance(40) else { return short }
        let checksum = short[0..<11].reduce(UInt8(0)) { (($0 & 1) << 7 | $0 >> 1) &+ $1 }
        var result: [UInt8] = []
        for order in (1...rng.int(in: 1...3)).reversed() {
            var long = rng.bytes(32)
            long[0] = UInt8(order) | (order == 1 ? 0 : 0x40)
            long[11] = 0x0F
            long[13] = rng.chance(70) ? checksum : UInt8(truncatingIfNeeded: rng.next())
            result += long
        }
        return result + short
    }

    static func put(_ value: Int, _ count: Int, _ bytes: inout [UInt8], _ offset: Int) {
        for index in 0..<count where offset + index < bytes.count {
            bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index))
        }
    }
}
