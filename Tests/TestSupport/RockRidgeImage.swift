import Foundation

/// Minimal ISO 9660 images with Rock Ridge system use areas, written byte by byte
/// (ECMA-119 8.4 and 9.1; SUSP `SP` and `CE`), to play hostile config drives whose
/// continuation areas loop, chain on and on, or hold thousands of entries.
///
/// Layout (2048-byte blocks): the primary volume descriptor (label `config-2`) at 16, the
/// terminator at 17, the root directory from 18 (`.` with `SP`, `..`, then `records`
/// directory records named `r0`, `r1`... whose system use area is `systemUse`), then the
/// continuation areas from `areaBlock(records:)` on.
public enum RockRidgeImage {
    public static let sector = 2048
    static let rootBlock = 18

    /// A continuation area: `bytes` at `offset` in block `block`.
    public struct Area {
        public var block: Int
        public var offset: Int
        public var bytes: [UInt8]
        public init(block: Int, offset: Int = 0, bytes: [UInt8]) {
            self.block = block
            self.offset = offset
            self.bytes = bytes
        }
    }

    /// Records of `recordSize` bytes never cross a block, so the root takes this many blocks.
    static func rootBlocks(records: Int, systemUse: Int) -> Int {
        let perBlock = sector / recordLength(nameLength: 6, systemUse: systemUse)
        return 1 + (records + 2) / perBlock
    }

    static func recordLength(nameLength: Int, systemUse: Int) -> Int {
        33 + nameLength + (nameLength % 2 == 0 ? 1 : 0) + systemUse
    }

    /// The first block after the root directory of an image with `records` records whose
    /// system use area is `systemUse` bytes long.
    public static func areaBlock(records: Int, systemUse: Int) -> Int {
        rootBlock + rootBlocks(records: records, systemUse: systemUse)
    }

    /// The image bytes.
    public static func image(records: Int, systemUse: [UInt8], areas: [Area]) -> [UInt8] {
        let rootSize = rootBlocks(records: records, systemUse: systemUse.count) * sector
        let lastArea = areas.map { $0.block * sector + $0.offset + $0.bytes.count }.max() ?? 0
        let blocks = max(areaBlock(records: records, systemUse: systemUse.count), (lastArea + sector - 1) / sector)
        var bytes = [UInt8](repeating: 0, count: blocks * sector)
        bytes.replaceSubrange(
            (16 * sector)..<(17 * sector), with: primaryDescriptor(blocks: blocks, rootSize: rootSize))
        var terminator = [UInt8](repeating: 0, count: sector)
        terminator[0] = 255
        terminator.replaceSubrange(1..<7, with: Array("CD001".utf8) + [1])
        bytes.replaceSubrange((17 * sector)..<(18 * sector), with: terminator)

        var directory: [[UInt8]] = [
            record(name: [0], extent: rootBlock, size: rootSize, flags: 2, systemUse: sp()),
            record(name: [1], extent: rootBlock, size: rootSize, flags: 2, systemUse: []),
        ]
        for index in 0..<records {
            let name = Array("r\(index)".utf8).prefix(6)
            directory.append(record(name: Array(name), extent: rootBlock, size: 0, flags: 0, systemUse: systemUse))
        }
        var position = rootBlock * sector
        for entry in directory {
            // A record never crosses a block: the rest of the block stays zero.
            if (position % sector) + entry.count > sector { position = (position / sector + 1) * sector }
            bytes.replaceSubrange(position..<(position + entry.count), with: entry)
            position += entry.count
        }
        for area in areas {
            let start = area.block * sector + area.offset
            bytes.replaceSubrange(start..<(start + area.bytes.count), with: area.bytes)
        }
        return bytes
    }

    /// `SP`: Rock Ridge in use, check bytes BE EF, nothing to skip.
    public static func sp() -> [UInt8] {
        Array("SP".utf8) + [7, 1, 0xBE, 0xEF, 0]
    }

    /// `CE`: the system use area continues `length` bytes at `offset` in `block`.
    public static func ce(block: Int, offset: Int = 0, length: Int) -> [UInt8] {
        var entry = Array("CE".utf8) + [28, 1] + [UInt8](repeating: 0, count: 24)
        bothEndian(block, into: &entry, at: 4)
        bothEndian(offset, into: &entry, at: 12)
        bothEndian(length, into: &entry, at: 20)
        return entry
    }

    /// An entry of a type the reader ignores (`PD`, padding), `length` (4...255) bytes long.
    public static func padding(_ length: Int) -> [UInt8] {
        Array("PD".utf8) + [UInt8(length), 1] + [UInt8](repeating: 0, count: length - 4)
    }

    static func primaryDescriptor(blocks: Int, rootSize: Int) -> [UInt8] {
        var descriptor = [UInt8](repeating: 0x20, count: sector)
        descriptor[0] = 1
        descriptor.replaceSubrange(1..<7, with: Array("CD001".utf8) + [1])
        descriptor.replaceSubrange(40..<48, with: Array("config-2".utf8))
        bothEndian(blocks, into: &descriptor, at: 80)
        descriptor[128] = UInt8(sector & 0xFF)
        descriptor[129] = UInt8(sector >> 8)
        descriptor[130] = UInt8(sector >> 8)
        descriptor[131] = UInt8(sector & 0xFF)
        let root = record(name: [0], extent: rootBlock, size: rootSize, flags: 2, systemUse: [])
        descriptor.replaceSubrange(156..<190, with: root)
        return descriptor
    }

    /// ECMA-119 9.1: length, extent and size (both-endian), flags, name, pad byte, system use.
    static func record(name: [UInt8], extent: Int, size: Int, flags: UInt8, systemUse: [UInt8]) -> [UInt8] {
        let length = recordLength(nameLength: name.count, systemUse: systemUse.count)
        precondition(length <= 255, "a directory record is at most 255 bytes")
        var bytes = [UInt8](repeating: 0, count: 33)
        bytes[0] = UInt8(length)
        bothEndian(extent, into: &bytes, at: 2)
        bothEndian(size, into: &bytes, at: 10)
        bytes[25] = flags
        bytes[28] = 1
        bytes[32] = UInt8(name.count)
        bytes += name + (name.count % 2 == 0 ? [0] : []) + systemUse
        return bytes
    }

    /// A 32-bit value little-endian then big-endian (ECMA-119 7.3.3).
    static func bothEndian(_ value: Int, into bytes: inout [UInt8], at offset: Int) {
        for index in 0..<4 {
            bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index))
            bytes[offset + 7 - index] = UInt8(truncatingIfNeeded: value >> (8 * index))
        }
    }
}

extension RockRidgeImage {
    /// 8 KiB, the most one continuation area may be (four 2048-byte blocks).
    public static let areaBytes = 8192

    /// `records` records that all continue in one 8 KiB area, filled with `CE` entries that
    /// continue in that same area again: a loop through one area, as the drive had.
    public static func continuationLoop(records: Int) -> [UInt8] {
        let area = areaBlock(records: records, systemUse: 28)
        let entry = ce(block: area, length: areaBytes)
        let count = areaBytes / entry.count
        let bytes = Array([[UInt8]](repeating: entry, count: count).joined()) + padding(areaBytes - count * entry.count)
        return image(records: records, systemUse: entry, areas: [Area(block: area, bytes: bytes)])
    }

    /// One record whose system use continues through `areas` distinct 8 KiB areas, one after
    /// the other: no loop, just more than any name or link needs.
    public static func longChain(areas: Int) -> [UInt8] {
        let first = areaBlock(records: 1, systemUse: 28)
        let blocksPerArea = areaBytes / sector
        let chain = (0..<areas).map { index in
            let next = ce(block: first + (index + 1) * blocksPerArea, length: areaBytes)
            let bytes = index == areas - 1 ? [] : next
            return Area(block: first + index * blocksPerArea, bytes: bytes + fill(areaBytes - bytes.count))
        }
        return image(records: 1, systemUse: ce(block: first, length: areaBytes), areas: chain)
    }

    /// One record whose system use continues through `areas` 2048-byte areas of 4-byte
    /// entries (about 500 each).
    public static func manyEntries(areas: Int) -> [UInt8] {
        let first = areaBlock(records: 1, systemUse: 28)
        let chain = (0..<areas).map { index in
            let next = index == areas - 1 ? [] : ce(block: first + index + 1, length: sector)
            let entries = (sector - next.count) / 4
            return Area(
                block: first + index, bytes: next + Array([[UInt8]](repeating: padding(4), count: entries).joined()))
        }
        return image(records: 1, systemUse: ce(block: first, length: sector), areas: chain)
    }

    /// `count` bytes of padding entries (up to 252 bytes each).
    static func fill(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var left = count
        while left >= 4 {
            // Never leave 1...3 bytes, which no entry can fill.
            var size = min(252, left)
            if (1...3).contains(left - size) { size -= 4 }
            bytes += padding(size)
            left -= size
        }
        return bytes + [UInt8](repeating: 0, count: left)
    }
}
