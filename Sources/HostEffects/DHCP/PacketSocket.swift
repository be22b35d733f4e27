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
        let fd = socket(
            AF_PACKET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
            Int32(Self.ipv4Protocol.bigEndian))
        guard fd >= 0 else { throw .system("socket(AF_PACKET): \(String(cString: strerror(errno)))") }
        descriptor = fd
        var address = Self.linkAddress(index: interfaceIndex)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_ll>.size))
            }
        }
        guard bound == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .system("bind(AF_PACKET, \(interface)): \(reason)")
        }
    }

    deinit { close(descriptor) }

    private static func linkAddress(index: Int32) -> sockaddr_ll {
        var address = sockaddr_ll()
        address.sll_family = UInt16(AF_PACKET)
        address.sll_protocol = ipv4Protocol.bigEndian
        address.sll_ifindex = index
        return address
    }

    /// Sends `packet` to the Ethernet broadcast address.
    func broadcast(_ packet: [UInt8]) throws(DHCPClientError) {
        var address = Self.linkAddress(index: interfaceIndex)
        address.sll_halen = 6
        withUnsafeMutableBytes(of: &address.sll_addr) { for index in 0..<6 { $0[index] = 0xFF } }
        let sent = packet.withUnsafeBytes { bytes in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_ll>.size))
                }
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
        var from = sockaddr_ll()
        var fromLength = socklen_t(MemoryLayout<sockaddr_ll>.size)
        let count = buffer.withUnsafeMutableBytes { bytes in
            withUnsafeMutablePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    recvfrom(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), $0, &fromLength)
                }
            }
        }
        if count < 0 {
            if errno == EAGAIN || errno == EINTR { return nil }
            throw .system("recvfrom(AF_PACKET): \(String(cString: strerror(errno)))")
        }
        guard from.sll_pkttype != Self.outgoing else { return nil }
        return Array(buffer.prefix(count))
    }
}
