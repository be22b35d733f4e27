import Foundation
import TestSupport
import Testing

@testable import HostEffects

/// The DHCP client's bytes: what it sends (RFC 2131 / 2132), what it accepts as a reply, and
/// what it makes of hostile or foreign packets (ignored, never a crash).
@Suite struct DHCPMessageTests {
    static let mac: [UInt8] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]
    static let xid: UInt32 = 0xDEAD_BEEF

    /// A BOOTREPLY as a server sends it, with `options` (code, value) in order.
    static func reply(
        type: UInt8?, xid: UInt32 = xid, mac: [UInt8] = mac, yiaddr: [UInt8] = [10, 9, 0, 50],
        options: [(UInt8, [UInt8])] = [], end: Bool = true
    ) -> [UInt8] {
        var bytes: [UInt8] = [2, 1, 6, 0]
        bytes += withUnsafeBytes(of: xid.bigEndian, Array.init)
        bytes += [0, 0, 0x80, 0] + [0, 0, 0, 0] + yiaddr + [10, 9, 0, 1] + [0, 0, 0, 0]
        bytes += mac + [UInt8](repeating: 0, count: 10) + [UInt8](repeating: 0, count: 192)
        bytes += [99, 130, 83, 99]
        if let type { bytes += [53, 1, type] }
        for (code, value) in options { bytes += [code, UInt8(value.count)] + value }
        if end { bytes.append(255) }
        return bytes
    }

    static let ackOptions: [(UInt8, [UInt8])] = [
        (54, [10, 9, 0, 1]), (1, [255, 255, 255, 0]), (3, [10, 9, 0, 1, 10, 9, 0, 2]), (51, [0, 0, 0x0E, 0x10]),
    ]

    /// `payload` in IPv4/UDP from 67 to 68, as a server's reply arrives on the packet socket.
    static func serverFrame(_ payload: [UInt8], sourcePort: UInt16 = 67, protocolNumber: UInt8 = 17) -> [UInt8] {
        var frame = DHCPFrame.wrap(payload)
        frame[9] = protocolNumber
        frame[20] = UInt8(sourcePort >> 8)
        frame[21] = UInt8(sourcePort & 0xFF)
        frame[22] = 0
        frame[23] = 68
        return frame
    }

    @Test func discoverHasTheFieldsRFC2131Asks() throws {
        let bytes = DHCPClientMessage(type: .discover, transactionID: Self.xid, hardwareAddress: Self.mac).encoded()
        #expect(bytes.count == 300)
        #expect(Array(bytes[0..<4]) == [1, 1, 6, 0])
        #expect(Array(bytes[4..<8]) == [0xDE, 0xAD, 0xBE, 0xEF])
        #expect(Array(bytes[10..<12]) == [0x80, 0])  // broadcast flag: the NIC has no address
        #expect(Array(bytes[28..<34]) == Self.mac)
        #expect(Array(bytes[236..<240]) == [99, 130, 83, 99])
        let options = try DHCPOptions.parse(bytes[240...])
        #expect(options[53] == [1])
        #expect(options[55] == [1, 3, 51, 54, 121])
        #expect(options[50] == nil && options[54] == nil)
    }

    @Test func requestNamesTheOfferedAddressAndServer() throws {
        let bytes = DHCPClientMessage(
            type: .request, transactionID: Self.xid, hardwareAddress: Self.mac,
            requestedAddress: DHCPAddress([10, 9, 0, 50]), serverIdentifier: DHCPAddress([10, 9, 0, 1])
        ).encoded()
        let options = try DHCPOptions.parse(bytes[240...])
        #expect(options[53] == [3])
        #expect(options[50] == [10, 9, 0, 50])
        #expect(options[54] == [10, 9, 0, 1])
    }

    @Test func frameHasAValidIPv4HeaderFromZeroToBroadcast() {
        let payload: [UInt8] = Array(repeating: 7, count: 300)
        let frame = DHCPFrame.wrap(payload)
        #expect(frame.count == 328)
        #expect(Array(frame[12..<20]) == [0, 0, 0, 0, 255, 255, 255, 255])
        #expect(Int(frame[2]) << 8 | Int(frame[3]) == 328)
        // A header with its checksum in place sums to zero.
        #expect(DHCPFrame.internetChecksum(Array(frame[0..<20])) == 0)
        #expect(Array(frame[20..<24]) == [0, 68, 0, 67])
        // Our own packet (68 -> 67) is not a reply.
        #expect(DHCPFrame.unwrap(frame) == nil)
        #expect(DHCPFrame.unwrap(Self.serverFrame(payload)) == payload)
    }

    @Test func acknowledgementGivesTheLease() throws {
        let message = try DHCPServerMessage(parsing: Self.reply(type: 5, options: Self.ackOptions))
        #expect(message.type == .ack)
        let lease = try DHCPLease(acknowledgement: message)
        #expect(lease.address.description == "10.9.0.50")
        #expect(lease.prefixLength == 24)
        #expect(lease.router?.description == "10.9.0.1")
        #expect(lease.leaseSeconds == 3600)
        #expect(lease.serverIdentifier?.description == "10.9.0.1")
        #expect(lease.gateway(to: DHCPAddress([169, 254, 169, 254])!) == .via(DHCPAddress([10, 9, 0, 1])!))
    }

    /// RFC 3442: with option 121, option 3 is ignored; the most specific covering route wins;
    /// router 0.0.0.0 means on the link.
    @Test func classlessRoutesDecideTheWayToTheMetadataAddress() throws {
        let metadata = DHCPAddress([169, 254, 169, 254])!
        // 0/0 via 10.9.0.254, 169.254.169.254/32 via 10.9.0.2
        let routes: [UInt8] = [0, 10, 9, 0, 254, 32, 169, 254, 169, 254, 10, 9, 0, 2]
        let withRoutes = try DHCPLease(
            acknowledgement: DHCPServerMessage(parsing: Self.reply(type: 5, options: Self.ackOptions + [(121, routes)]))
        )
        #expect(withRoutes.classlessRoutes.count == 2)
        #expect(withRoutes.gateway(to: metadata) == .via(DHCPAddress([10, 9, 0, 2])!))
        #expect(withRoutes.gateway(to: DHCPAddress([8, 8, 8, 8])!) == .via(DHCPAddress([10, 9, 0, 254])!))
        // 169.254.0.0/16 on the link; nothing else: option 3 is still ignored.
        let onLink = try DHCPLease(
            acknowledgement: DHCPServerMessage(
                parsing: Self.reply(type: 5, options: Self.ackOptions + [(121, [16, 169, 254, 0, 0, 0, 0])])))
        #expect(onLink.gateway(to: metadata) == .onLink)
        #expect(onLink.classlessRoutes.first?.destination.description == "169.254.0.0")
    }

    /// Replies that are not DHCP replies at all, with what the error must say.
    static let hostileReplies: [(bytes: [UInt8], expected: String)] = [
        (Array(repeating: 2, count: 100), "truncated"),
        (Array(reply(type: 5).prefix(239)), "truncated"),
        (Array(reply(type: 5, options: [(3, [10, 9])], end: false).dropLast(1)), "truncated"),
        (reply(type: nil), "no message type"),
        (reply(type: 9), "not one byte of a known type"),
        ([1] + Array(reply(type: 5).dropFirst()), "not BOOTREPLY"),
        (Array(reply(type: 5).prefix(236)) + [1, 2, 3, 4, 53, 1, 5, 255], "no DHCP magic cookie"),
        ([2, 6, 6] + Array(reply(type: 5).dropFirst(3)), "not Ethernet"),
    ]

    @Test(arguments: 0..<8)
    func hostileRepliesAreRefusedByName(index: Int) {
        let (bytes, expected) = Self.hostileReplies[index]
        #expect {
            try DHCPServerMessage(parsing: bytes)
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test func everyHostileCaseIsRun() { #expect(Self.hostileReplies.count == 8) }

    /// Bytes after End (padding, or junk) are not options.
    @Test func bytesAfterEndAreNotRead() throws {
        let message = try DHCPServerMessage(parsing: Self.reply(type: 5) + [1, 200, 7])
        #expect(message.type == .ack)
        #expect(message.options[1] == nil)
    }

    @Test func anOptionLengthRunningPastTheEndIsTruncation() {
        var bytes = Self.reply(type: 5, end: false)
        bytes += [1, 200, 255, 255]
        #expect(throws: DHCPParseError.truncated("option 1 says 200 bytes, only 2 are left")) {
            try DHCPServerMessage(parsing: bytes)
        }
        #expect(throws: DHCPParseError.truncated("option 6 has no length byte")) {
            try DHCPServerMessage(parsing: Self.reply(type: 5, end: false) + [6])
        }
    }

    /// Option lists of DHCPACKs whose lease is refused, with what the error must say.
    static let badLeases: [(options: [(UInt8, [UInt8])], expected: String)] = [
        ([(1, [255, 0, 255, 0])], "not contiguous"),
        ([(1, [0, 0, 0, 0])], "not contiguous"),
        ([(1, [255, 255, 0])], "not 4"),
        ([], "without a subnet mask"),
        ([(1, [255, 255, 255, 0]), (3, [10, 9, 0, 1, 2])], "not a multiple of 4"),
        ([(1, [255, 255, 255, 0]), (51, [1])], "lease time"),
        ([(1, [255, 255, 255, 0]), (121, [33, 1, 2, 3, 4, 5, 10, 9, 0, 1])], "over 32"),
        ([(1, [255, 255, 255, 0]), (121, [24, 10, 9, 0, 10, 9])], "runs past the option"),
    ]

    @Test(arguments: 0..<8)
    func badLeaseOptionsAreRefusedByName(index: Int) throws {
        let (options, expected) = Self.badLeases[index]
        let message = try DHCPServerMessage(parsing: Self.reply(type: 5, options: options))
        #expect {
            try DHCPLease(acknowledgement: message)
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test func everyBadLeaseCaseIsRun() { #expect(Self.badLeases.count == 8) }

    @Test func aLeaseOfZeroZeroZeroZeroIsRefused() throws {
        let message = try DHCPServerMessage(
            parsing: Self.reply(type: 5, yiaddr: [0, 0, 0, 0], options: Self.ackOptions))
        #expect(throws: DHCPParseError.invalid("DHCPACK with yiaddr 0.0.0.0")) {
            try DHCPLease(acknowledgement: message)
        }
    }

    /// Only a reply to this exchange is taken: another transaction, another MAC, another
    /// message type, an offer without a server id, or non-DHCP traffic is ignored.
    @Test func foreignRepliesAreIgnored() {
        func accepted(_ frame: [UInt8], _ types: Set<DHCPMessageType> = [.offer]) -> Bool {
            DHCPv4Client.reply(in: frame, transactionID: Self.xid, hardwareAddress: Self.mac, types: types) != nil
        }
        let offer = Self.reply(type: 2, options: [(54, [10, 9, 0, 1])])
        #expect(accepted(Self.serverFrame(offer)))
        #expect(!accepted(Self.serverFrame(Self.reply(type: 2, xid: Self.xid &+ 1, options: [(54, [10, 9, 0, 1])]))))
        #expect(
            !accepted(Self.serverFrame(Self.reply(type: 2, mac: [2, 0, 0, 0, 0, 1], options: [(54, [10, 9, 0, 1])]))))
        #expect(!accepted(Self.serverFrame(offer), [.ack, .nak]))
        #expect(!accepted(Self.serverFrame(Self.reply(type: 2))))  // no server id
        #expect(!accepted(Self.serverFrame(offer, sourcePort: 68)))
        #expect(!accepted(Self.serverFrame(offer, protocolNumber: 6)))
        var fragment = Self.serverFrame(offer)
        fragment[6] = 0x20  // more fragments
        #expect(!accepted(fragment))
        var longUDP = Self.serverFrame(offer)
        longUDP[24] = 0xFF  // UDP length past the packet
        #expect(!accepted(longUDP))
        var longIP = Self.serverFrame(offer)
        longIP[2] = 0xFF  // IPv4 total length past what was read
        #expect(!accepted(longIP))
        #expect(!accepted(Array(Self.serverFrame(offer).prefix(27))))
    }

    /// Random bytes, and random corruptions of a real reply, never crash the parsers.
    @Test func garbageNeverCrashes() {
        var random = SplitMix64(seed: 26)
        let good = Self.serverFrame(Self.reply(type: 5, options: Self.ackOptions + [(121, [0, 10, 9, 0, 1])]))
        for round in 0..<3000 {
            var frame: [UInt8]
            if round % 2 == 0 {
                frame = (0..<random.below(700)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            } else {
                frame = good
                for _ in 0..<random.int(in: 1...8) {
                    frame[random.below(frame.count)] = UInt8(truncatingIfNeeded: random.next())
                }
                frame = Array(frame.prefix(random.below(frame.count + 1)))
            }
            if let reply = DHCPv4Client.reply(
                in: frame, transactionID: Self.xid, hardwareAddress: Self.mac, types: [.ack, .offer, .nak])
            {
                _ = try? DHCPLease(acknowledgement: reply)
            }
            if let payload = DHCPFrame.unwrap(frame) { _ = try? DHCPServerMessage(parsing: payload) }
        }
    }
}
