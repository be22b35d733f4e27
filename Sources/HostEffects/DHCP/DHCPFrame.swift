import FoundationEssentials

/// The IPv4 and UDP headers around a DHCP message on a packet socket (`SOCK_DGRAM`: the
/// kernel adds and strips the Ethernet header). The client has no address yet, so it sends
/// from 0.0.0.0:68 to 255.255.255.255:67 (RFC 2131 section 4.1) and reads every IPv4 packet
/// of the NIC, keeping only UDP from port 67 to port 68.
public enum DHCPFrame {
    static let clientPort: UInt16 = 68
    static let serverPort: UInt16 = 67

    /// `payload` in UDP (checksum 0: none, allowed over IPv4) in an IPv4 header from
    /// 0.0.0.0 to 255.255.255.255, TTL 64.
    public static func wrap(_ payload: [UInt8]) -> [UInt8] {
        let udpLength = 8 + payload.count
        let totalLength = 20 + udpLength
        var header: [UInt8] = [
            0x45, 0, UInt8(totalLength >> 8), UInt8(totalLength & 0xFF), 0, 0, 0, 0, 64, 17, 0, 0,
        ]
        header += DHCPAddress.zero.bytes + DHCPAddress.broadcast.bytes
        let checksum = internetChecksum(header)
        header[10] = UInt8(checksum >> 8)
        header[11] = UInt8(checksum & 0xFF)
        let udp: [UInt8] = [
            UInt8(clientPort >> 8), UInt8(clientPort & 0xFF), UInt8(serverPort >> 8), UInt8(serverPort & 0xFF),
            UInt8(udpLength >> 8), UInt8(udpLength & 0xFF), 0, 0,
        ]
        return header + udp + payload
    }

    /// The UDP payload of an IPv4 packet from port 67 to port 68, or nil for anything else
    /// (other protocols and ports, fragments, a header or length that does not fit the
    /// packet): the NIC's other traffic is not an error, only not for the client.
    public static func unwrap(_ packet: [UInt8]) -> [UInt8]? {
        guard packet.count >= 20, packet[0] >> 4 == 4 else { return nil }
        let headerLength = Int(packet[0] & 0x0F) * 4
        let totalLength = Int(packet[2]) << 8 | Int(packet[3])
        guard headerLength >= 20, totalLength >= headerLength + 8, totalLength <= packet.count else { return nil }
        // A fragment (more-fragments flag or an offset) is never a whole DHCP message.
        guard packet[9] == 17, packet[6] & 0x3F == 0, packet[7] == 0 else { return nil }
        let udp = headerLength
        let sourcePort = UInt16(packet[udp]) << 8 | UInt16(packet[udp + 1])
        let destinationPort = UInt16(packet[udp + 2]) << 8 | UInt16(packet[udp + 3])
        let udpLength = Int(packet[udp + 4]) << 8 | Int(packet[udp + 5])
        guard sourcePort == serverPort, destinationPort == clientPort, udpLength >= 8,
            udp + udpLength <= totalLength
        else { return nil }
        return Array(packet[(udp + 8)..<(udp + udpLength)])
    }

    /// The IPv4 header checksum (RFC 791): one's complement of the one's complement sum of
    /// the 16-bit words.
    static func internetChecksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index + 1 < bytes.count {
            sum += UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            index += 2
        }
        if index < bytes.count { sum += UInt32(bytes[index]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }
}
