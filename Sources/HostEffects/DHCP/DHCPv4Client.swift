import AgentBase
import FoundationEssentials

/// Why no lease was obtained. Each case says what was waited for or which call failed.
public enum DHCPClientError: Error, Equatable, CustomStringConvertible {
    case system(String)
    case noAnswer(waitingFor: String, seconds: Double)
    case refused(server: String)
    case badLease(String)
    case cancelled

    public var description: String {
        switch self {
        case .system(let reason): reason
        case .noAnswer(let waitingFor, let seconds):
            "no DHCP server answered (waiting for \(waitingFor)) within \(PlainFormat.oneDecimal(seconds)) s"
        case .refused(let server): "the DHCP server \(server) refused the request (DHCPNAK)"
        case .badLease(let reason): "unusable DHCPACK: \(reason)"
        case .cancelled: "cancelled"
        }
    }
}

/// A minimal DHCPv4 client (RFC 2131 section 3.1): DHCPDISCOVER, the first DHCPOFFER,
/// DHCPREQUEST for it, DHCPACK, on one NIC through a packet socket. It only obtains a lease
/// for a moment (the local stage's read of the metadata service): it never renews, never
/// releases (the image's own client takes the NIC over at the real start of the network),
/// and configures nothing itself.
public struct DHCPv4Client: Sendable {
    public let interface: String
    /// The NIC's MAC address, sent as `chaddr`; replies for another one are ignored.
    public let hardwareAddress: [UInt8]

    public init(interface: String, hardwareAddress: [UInt8]) {
        self.interface = interface
        self.hardwareAddress = hardwareAddress
    }

    /// The lease, or why none came within `seconds`. Messages are sent again after 1 s,
    /// then after 2 s, 4 s (RFC 2131 section 4.1 asks for randomized exponential backoff;
    /// the whole exchange here is bounded by the discovery deadline instead). A DHCPNAK
    /// starts over from DHCPDISCOVER.
    public func obtainLease(within seconds: Double) throws(DHCPClientError) -> DHCPLease {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let socket = try PacketSocket(interface: interface)
        var refusedBy: String?
        while ContinuousClock.now < deadline {
            let transactionID = UInt32.random(in: 1...UInt32.max)
            let discover = DHCPClientMessage(
                type: .discover, transactionID: transactionID, hardwareAddress: hardwareAddress)
            guard
                let offer = try exchange(
                    discover, expecting: [.offer], socket: socket, transactionID: transactionID, deadline: deadline)
            else { break }
            let request = DHCPClientMessage(
                type: .request, transactionID: transactionID, hardwareAddress: hardwareAddress,
                requestedAddress: offer.yourAddress, serverIdentifier: offer.serverIdentifier)
            guard
                let answer = try exchange(
                    request, expecting: [.ack, .nak], socket: socket, transactionID: transactionID, deadline: deadline)
            else { throw .noAnswer(waitingFor: "DHCPACK", seconds: seconds) }
            if answer.type == .nak {
                refusedBy = answer.serverIdentifier?.description ?? "(no server id)"
                continue
            }
            do {
                return try DHCPLease(acknowledgement: answer)
            } catch {
                throw .badLease("\(error)")
            }
        }
        if let refusedBy { throw .refused(server: refusedBy) }
        throw .noAnswer(waitingFor: "DHCPOFFER", seconds: seconds)
    }

    /// Sends `message` and waits for a reply of one of `types`, sending again on the
    /// backoff schedule; nil at the deadline.
    private func exchange(
        _ message: DHCPClientMessage, expecting types: Set<DHCPMessageType>, socket: PacketSocket,
        transactionID: UInt32, deadline: ContinuousClock.Instant
    ) throws(DHCPClientError) -> DHCPServerMessage? {
        var interval = 1000
        while ContinuousClock.now < deadline {
            if Task.isCancelled { throw .cancelled }
            try socket.broadcast(DHCPFrame.wrap(message.encoded()))
            let resend = min(deadline, ContinuousClock.now + .milliseconds(interval))
            while ContinuousClock.now < resend {
                if Task.isCancelled { throw .cancelled }
                let left = ContinuousClock.now.duration(to: resend)
                let milliseconds = Int(
                    left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
                // Short polls, so that cancellation is seen within 0.1 s.
                guard let packet = try socket.receive(milliseconds: min(100, max(1, milliseconds))) else { continue }
                if let reply = Self.reply(
                    in: packet, transactionID: transactionID, hardwareAddress: hardwareAddress, types: types)
                {
                    return reply
                }
            }
            interval = min(interval * 2, 4000)
        }
        return nil
    }

    /// The DHCP reply in `packet` when it answers this exchange: an IPv4/UDP packet from
    /// port 67 to 68 whose BOOTREPLY parses, has our transaction id and MAC, and is of one
    /// of `types`. Anything else (other traffic, another client's reply, a malformed
    /// message) is nil: ignored, the wait goes on.
    static func reply(
        in packet: [UInt8], transactionID: UInt32, hardwareAddress: [UInt8], types: Set<DHCPMessageType>
    ) -> DHCPServerMessage? {
        guard let payload = DHCPFrame.unwrap(packet), let message = try? DHCPServerMessage(parsing: payload),
            message.transactionID == transactionID, message.hardwareAddress == hardwareAddress,
            types.contains(message.type)
        else { return nil }
        // An offer without a server id cannot be requested (RFC 2131 section 4.3.1: MUST).
        if message.type == .offer, message.serverIdentifier == nil { return nil }
        return message
    }
}
