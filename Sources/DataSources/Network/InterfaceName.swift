/// Linux interface names: 1 to 15 bytes (IFNAMSIZ less the NUL). Stricter than the kernel
/// on purpose: letters, digits, `_`, `-`, `.`, not starting with `.` or `-`, so a name is
/// safe in every configuration format and file name.
public enum InterfaceName {
    public static func isValid(_ name: String) -> Bool {
        guard (1...15).contains(name.utf8.count), let first = name.utf8.first, first != UInt8(ascii: "."),
            first != UInt8(ascii: "-")
        else {
            return false
        }
        return name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
    }
}
