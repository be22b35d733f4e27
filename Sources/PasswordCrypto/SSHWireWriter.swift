/// Writes the SSH wire encoding (RFC 4251 section 5): big-endian uint32, length-prefixed
/// strings and mpints; the counterpart of `SSHWireReader`.
struct SSHWireWriter {
    private(set) var bytes: [UInt8] = []

    mutating func uint32(_ value: UInt32) {
        bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    mutating func string(_ value: some Collection<UInt8>) {
        uint32(UInt32(value.count))
        bytes += value
    }

    mutating func string(_ text: String) {
        string(Array(text.utf8))
    }

    /// A non-negative integer given as unsigned big-endian bytes: leading zeros dropped, and
    /// a zero byte added when the top bit is set, so it does not read as negative.
    mutating func unsignedMPInt(_ magnitude: [UInt8]) {
        var value = Array(magnitude.drop { $0 == 0 })
        if let first = value.first, first & 0x80 != 0 { value.insert(0, at: 0) }
        string(value)
    }

    mutating func raw(_ value: [UInt8]) {
        bytes += value
    }
}
