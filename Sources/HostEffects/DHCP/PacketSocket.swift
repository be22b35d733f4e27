import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// An `AF_PACKET` datagram socket on one NIC for IPv4 (`ETH_P_IP`): the kernel builds and
/// strips the Ethernet header, the caller sends and reads whole IPv4 packets. It works on a
/// NIC without any address, which a UDP socket cannot do reliably (a unicast reply to the
/// offered address would be dropped). Needs CAP_NET_RAW.
final class PacketSocket {
    private let descriptor: Int32
    private let interfaceIndex: Int32
    private static let ipv4Protocol = UInt16(0x0800)  // ETH_P_IP
    private static let outgoing: UInt8 = 4  // PACKET_OUTGOING: our own packets, looped back

    /// Opens and binds the socket to `interface`; throws naming the call that failed.
    init(interface: String) throws(DHCPClientError) {
        let index = if_nametoindex(interface)
        guard index != 0 else { throw .system("if_nametoindex(\(interface)): \(String(cString: strerror(errno)))") }
        interfaceIndex = Int32(index)
        descriptor = try Self.openBound(index: Int32(index), interface: interface)
    }

    /// The socket, bound; closed again when binding fails (before any property is set, so
    /// that `deinit` never closes it a second time).
    private static func openBound(index: Int32, interface: String) throws(DHCPClientError) -> Int32 {
        let fd = socket(
            AF_PACKET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Int32(ipv4Protocol.bigEndian))
        guard fd >= 0 else { throw .system("socket(AF_PACKET): \(String(cString: strerror(errno)))") }
        let address = linkAddress(index: index, broadcast: false)
        let bound = address.withUnsafeBytes {
            bind(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
        }
        guard bound == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .system("bind(AF_PACKET, \(interface)): \(reason)")
        }
        return fd
    }

    deinit { close(descriptor) }

    /// `struct sockaddr_ll` (<netpacket/packet.h>), 20 bytes, built by offset: Swift's Glibc
    /// module does not export the type. Family (host order) at 0, protocol (network order)
    /// at 2, ifindex (host order) at 4, hatype at 8, pkttype at 10, halen at 11, address at 12.
    private static func linkAddress(index: Int32, broadcast: Bool) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: linkAddressLength)
        withUnsafeBytes(of: UInt16(AF_PACKET)) { bytes.replaceSubrange(0..<2, with: $0) }
        withUnsafeBytes(of: ipv4Protocol.bigEndian) { bytes.replaceSubrange(2..<4, with: $0) }
        withUnsafeBytes(of: index) { bytes.replaceSubrange(4..<8, with: $0) }
        if broadcast {
            bytes[11] = 6
            bytes.replaceSubrange(12..<18, with: [UInt8](repeating: 0xFF, count: 6))
        }
        return bytes
    }

    private static let linkAddressLength = 20
    private static let packetTypeOffset = 10

    /// Sends `packet` to the Ethernet broadcast address.
    func broadcast(_ packet: [UInt8]) throws(DHCPClientError) {
        let address = Self.linkAddress(index: interfaceIndex, broadcast: true)
        let sent = packet.withUnsafeBytes { bytes in
            address.withUnsafeBytes {
                sendto(
                    descriptor, bytes.baseAddress, bytes.count, 0,
                    $0.baseAddress!.assumingMemoryBound(to: sockaddr.self),
                    socklen_t($0.count))
            }
        }
        guard sent == packet.count else { throw .system("sendto(AF_PACKET): \(String(cString: strerror(errno)))") }
    }

    /// The next packet received within `milliseconds` (not one this host sent), or nil
    /// when none came. At most 1,500 bytes are read: a larger packet is cut and its IPv4
    /// length no longer fits, so the frame parser drops it.
    func receive(milliseconds: Int) throws(DHCPClientError) -> [UInt8]? {
        var fds = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
        let ready = poll(&fds, 1, Int32(max(0, milliseconds)))
        if ready < 0 {
            if errno == EINTR { return nil }
            throw .system("poll(AF_PACKET): \(String(cString: strerror(errno)))")
        }
        guard ready > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 1500)
        var from = [UInt8](repeating: 0, count: 32)
        var fromLength = socklen_t(from.count)
        let count = buffer.withUnsafeMutableBytes { bytes in
            from.withUnsafeMutableBytes {
                recvfrom(
                    descriptor, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT),
                    $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), &fromLength)
            }
        }
        if count < 0 {
            if errno == EAGAIN || errno == EINTR { return nil }
            throw .system("recvfrom(AF_PACKET): \(String(cString: strerror(errno)))")
        }
        guard from[Self.packetTypeOffset] != Self.outgoing else { return nil }
        return Array(buffer.prefix(count))
    }
}
