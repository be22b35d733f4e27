import Foundation
import HostEffects
import Plugins

/// A scratch network namespace (`ip netns add`) with its loopback up, deleted with the
/// value. Tests make veth pairs into it and run real tools inside; nothing reaches this
/// machine's own network.
public final class NetworkNamespace {
    public let name: String

    public init(prefix: String) async throws {
        name = "\(prefix)-\(String(UInt32.random(in: 0..<0xFFFFFF), radix: 16))"
        try await NetworkNamespace.ip(["netns", "add", name])
        try await NetworkNamespace.ip(["-n", name, "link", "set", "lo", "up"])
    }

    deinit { Program.cleanUp("ip", ["netns", "del", name]) }

    /// `ip ARGUMENTS`, failing with ip's stderr.
    public static func ip(_ arguments: [String]) async throws {
        let result = try await Program.tool("ip", arguments)
        guard result.status == 0 else {
            throw HostError.commandFailed(
                argv: ["ip"] + arguments, status: "\(result.status)", stderr: result.standardError)
        }
    }

    /// `ip ARGUMENTS` inside this namespace.
    public func ip(_ arguments: [String]) async throws {
        try await NetworkNamespace.ip(["-n", name] + arguments)
    }

    /// `ip -j ARGUMENTS` inside this namespace, decoded.
    public func json(_ arguments: [String]) async throws -> [[String: Any]] {
        let result = try await Program.tool("ip", ["-n", name, "-j"] + arguments)
        return (try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [[String: Any]]) ?? []
    }

    /// `argv` run inside this namespace (`ip netns exec`).
    public func run(_ argv: [String], timeout: Double = 60) async throws -> ProgramResult {
        try await Program.tool("ip", ["netns", "exec", name] + argv, timeout: timeout)
    }

    /// A veth pair: `guestName` (with `mac`) here, `peerName` in `peer`.
    public func addVeth(_ guestName: String, mac: String, peer: NetworkNamespace, peerName: String) async throws {
        try await ip([
            "link", "add", guestName, "address", mac, "type", "veth", "peer", "name", peerName, "netns", peer.name,
        ])
    }

    /// "ADDRESS/PREFIX" of every address of `family` (`inet`, `inet6`) on `device`, link-local
    /// IPv6 left out.
    public func addresses(of device: String, family: String) async throws -> [String] {
        let link = try await json(["addr", "show", "dev", device]).first ?? [:]
        return (link["addr_info"] as? [[String: Any]] ?? []).filter {
            $0["family"] as? String == family && $0["scope"] as? String != "link"
        }.map { "\($0["local"] ?? "")/\($0["prefixlen"] ?? "")" }
    }

    /// "DESTINATION via GATEWAY" for every route of `family` (`-4` or `-6`) with a gateway.
    public func gatewayRoutes(_ family: String) async throws -> [String] {
        try await json([family, "route", "show"]).compactMap { route in
            guard let gateway = route["gateway"] as? String else { return nil }
            return "\(route["dst"] ?? "") via \(gateway)"
        }
    }

    /// Whether `ip` in this namespace can create a bond and a VLAN on it (a container or a
    /// minimal VM kernel may have neither module).
    public func canMakeBondAndVLAN() async -> Bool {
        guard (try? await ip(["link", "add", "probebond", "type", "bond"])) != nil else { return false }
        return (try? await ip(["link", "add", "link", "probebond", "name", "probebond.5", "type", "vlan", "id", "5"]))
            != nil
    }
}
