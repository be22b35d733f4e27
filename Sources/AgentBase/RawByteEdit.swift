/// One raw write to a device or image: `bytes` at `offset`, allowed only while `expected`
/// (the same length) is still what is there. Made by read-only planners (a FAT volume's new
/// file), applied by the host layer (`RawDeviceEditor`), which checks `expected` first.
public struct RawByteEdit: Sendable, Equatable {
    public let offset: Int
    public let expected: [UInt8]
    public let bytes: [UInt8]

    public init(offset: Int, expected: [UInt8], bytes: [UInt8]) {
        precondition(expected.count == bytes.count, "an edit replaces bytes one for one")
        self.offset = offset
        self.expected = expected
        self.bytes = bytes
    }

    /// The runs where `new` differs from `old`, as edits at `base` + their index.
    public static func differences(from old: [UInt8], to new: [UInt8], at base: Int) -> [RawByteEdit] {
        precondition(old.count == new.count, "compared buffers have one length")
        var edits: [RawByteEdit] = []
        var index = 0
        while index < old.count {
            guard old[index] != new[index] else {
                index += 1
                continue
            }
            var end = index
            while end < old.count, old[end] != new[end] { end += 1 }
            edits.append(
                RawByteEdit(offset: base + index, expected: Array(old[index..<end]), bytes: Array(new[index..<end])))
            index = end
        }
        return edits
    }
}
