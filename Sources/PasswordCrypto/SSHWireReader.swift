import FoundationEssentials

/// Reads the SSH wire encoding (RFC 4251 section 5): big-endian uint32, length-prefixed
/// strings, mpints. Every read is bounds-checked: key blobs come from untrusted metadata.
struct SSHWireReader {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ data: Data) {
        bytes = [UInt8](data)
    }

    var isAtEnd: Bool { offset == bytes.count }
    var remaining: Int { bytes.count - offset }

    mutating func uint32() throws -> UInt32 {
        guard remaining >= 4 else { throw SSHKeyError.truncated }
        let value = bytes[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        offset += 4
        return value
    }

    /// A length-prefixed byte string.
    mutating func string() throws -> [UInt8] {
        let length = Int(try uint32())
        guard length <= remaining else { throw SSHKeyError.truncated }
        defer { offset += length }
        return Array(bytes[offset..<offset + length])
    }

    mutating func text() throws -> String {
        String(decoding: try string(), as: UTF8.self)
    }

    /// A non-negative mpint as unsigned big-endian bytes, without the sign byte that a
    /// number with its top bit set carries (the leading 00 of a 2048-bit modulus).
    mutating func unsignedMPInt() throws -> [UInt8] {
        var value = try string()
        if let first = value.first, first & 0x80 != 0 { throw SSHKeyError.malformed("negative mpint") }
        while value.first == 0 { value.removeFirst() }
        return value
    }
}
