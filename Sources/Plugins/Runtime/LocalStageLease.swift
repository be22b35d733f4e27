import AgentBase
import DataSources
import FoundationEssentials
import HostEffects
import Logging

/// The local stage's read of the metadata service over a short-lived DHCP lease, as
/// cloud-init's local stage does (`EphemeralDHCPv4`): with no config drive, the network
/// description still comes before the network starts, so the image's own stack brings the
/// instance's network up at the first boot.
///
/// This is not an activation of the rendered configuration: the lease's address and the
/// route to the metadata address exist only while the sources are read, and the NIC is
/// left as it was found (its address and route removed, down again if it was down), on
/// every path, failure and timeout included. Only on the live system, never with
/// `--dry-run`, and never on a NIC that already has an IPv4 address (the network is up: the
/// network stage reads the source itself).
struct LocalStageLease: Sendable {
    let root: SystemRoot
    let runner: any CommandRunner
    let logger: Logger

    /// The metadata service address the leased route leads to.
    static let metadataAddress = DHCPAddress([169, 254, 169, 254])!

    /// The sources worth a lease: the configured network sources that read 169.254.169.254
    /// (nova's HTTP API, EC2's IMDS), with `auto` only the one DMI names (`hint`), as
    /// cloud-init's OpenStackLocal and Ec2Local run only where their platform's DMI says so.
    /// Others (a configured URL elsewhere, clouds with their own addresses) wait for the
    /// network stage.
    static func leaseSources(
        _ sources: [any DataSource], setting: SourcesConfig.LocalStageDHCP, hint: PlatformHint?
    ) -> [any DataSource] {
        switch setting {
        case .never: return []
        case .always: return leaseSources(sources)
        case .auto: return leaseSources(sources).filter { $0.id == hint?.sourceID }
        }
    }

    static func leaseSources(_ sources: [any DataSource]) -> [any DataSource] {
        sources.filter { source in
            let url: URL? =
                switch source {
                case let openstack as OpenStackHTTPSource: openstack.baseURL
                case let ec2 as EC2MetadataSource: ec2.baseURL
                default: nil
                }
            return url?.host == metadataAddress.description
        }
    }

    /// Runs `read` while the NIC holds a lease, then puts the NIC back; nil (and the log
    /// says why) when no lease could be had within `seconds`.
    func withLease(
        within seconds: Double, _ read: (_ remaining: Double) async -> Discovery.Result
    ) async -> Discovery.Result? {
        let started = ContinuousClock.now
        func remaining() -> Double {
            let elapsed = (ContinuousClock.now - started).components
            return seconds - Double(elapsed.seconds) - Double(elapsed.attoseconds) / 1e18
        }
        guard ToolLocator(root: root).find("ip") != nil else {
            logger.warning("no 'ip' (iproute2) in the image: no DHCP lease; the network stage reads the source")
            return nil
        }
        await settleDeviceNames(within: min(5, seconds))
        guard let nic = FallbackNIC.find(under: root), let hardwareAddress = Self.bytes(ofMAC: nic.macAddress) else {
            logger.info("no NIC to ask for a DHCP lease: the network stage reads the metadata service")
            return nil
        }
        let nicLogger = with(nic)
        switch await hasIPv4Address(nic) {
        case false: break
        case true:
            nicLogger.info("the NIC already has an IPv4 address: the network stage reads the metadata service")
            return nil
        case nil:
            nicLogger.warning("could not list the NIC's addresses: no DHCP lease; the network stage reads the source")
            return nil
        }
        var undo: [[String]] = []
        defer {
            if !undo.isEmpty { nicLogger.error("could not undo the lease's changes", metadata: ["left": "\(undo)"]) }
        }
        if !isAdministrativelyUp(nic) {
            guard await step(["ip", "link", "set", "dev", nic.name, "up"], nicLogger) else { return nil }
            undo.append(["ip", "link", "set", "dev", nic.name, "down"])
        }
        let lease: DHCPLease
        do {
            let client = DHCPv4Client(interface: nic.name, hardwareAddress: hardwareAddress)
            let budget = remaining()
            lease = try await Self.offThread { try client.obtainLease(within: budget) }
        } catch {
            nicLogger.warning(
                "no DHCP lease for reading the metadata service before the network starts",
                metadata: ["error": "\(error)"])
            await restore(&undo, nicLogger)
            return nil
        }
        let address = "\(lease.address)/\(lease.prefixLength)"
        nicLogger.info(
            "DHCP lease for reading the metadata service",
            metadata: [
                "address": "\(address)", "server": "\(lease.serverIdentifier?.description ?? "-")",
                "route": "\(lease.gateway(to: Self.metadataAddress))",
            ])
        guard await step(["ip", "-4", "addr", "add", address, "dev", nic.name], nicLogger) else {
            await restore(&undo, nicLogger)
            return nil
        }
        undo.append(["ip", "-4", "addr", "del", address, "dev", nic.name])
        let route = ["ip", "-4", "route", "add", "\(Self.metadataAddress)/32"] + routeTail(lease, nic: nic.name)
        if await step(route, nicLogger) {
            undo.append(["ip", "-4", "route", "del", "\(Self.metadataAddress)/32", "dev", nic.name])
        }
        // At least a second for the read, even when the lease came at the very end.
        let result = await read(max(1, remaining()))
        await restore(&undo, nicLogger)
        return result
    }

    /// `via ROUTER dev NIC onlink` (a classless route's router may be outside the leased
    /// subnet; `onlink` tells the kernel it is on the link), or `dev NIC` when the metadata
    /// address is on the link itself.
    private func routeTail(_ lease: DHCPLease, nic: String) -> [String] {
        switch lease.gateway(to: Self.metadataAddress) {
        case .onLink: ["dev", nic, "scope", "link"]
        case .via(let router): ["via", "\(router)", "dev", nic, "onlink"]
        }
    }

    /// Undoes the steps taken, newest first; a step that fails stays in `undo` (logged).
    private func restore(_ undo: inout [[String]], _ logger: Logger) async {
        var failed: [[String]] = []
        for argv in undo.reversed() {
            let undone = await step(argv, logger)
            if !undone { failed.append(argv) }
        }
        undo = failed
    }

    /// Waits for udev to finish its queue (`udevadm settle`), as cloud-init does before
    /// choosing its NIC: the local stage can start while udev is still renaming `eth0` to
    /// its predictable name, and a NIC brought up before that keeps the kernel's name for
    /// good (udev renames only links that are down). Without udevadm, or when it fails,
    /// the NIC is chosen as it is.
    private func settleDeviceNames(within seconds: Double) async {
        guard seconds >= 1, ToolLocator(root: root).find("udevadm") != nil else { return }
        _ = await step(["udevadm", "settle", "--timeout=\(Int(seconds))"], logger)
    }

    private func step(_ argv: [String], _ logger: Logger) async -> Bool {
        do {
            let result = try await runner.run(argv)
            if let failure = result.failure {
                logger.error(
                    "\(argv.joined(separator: " ")) \(failure)",
                    metadata: ["stderr": "\(result.standardError.prefix(300))"])
                return false
            }
            return true
        } catch {
            logger.error("\(argv.joined(separator: " ")) failed", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Whether IFF_UP (0x1) is set in the NIC's `/sys/class/net/NAME/flags` (hexadecimal,
    /// `0x1003`): the state to put back. Unreadable: taken as down, so that it is set down
    /// again after the lease (the local stage runs before anything brings NICs up).
    private func isAdministrativelyUp(_ nic: FallbackNIC) -> Bool {
        guard let path = try? root.resolve("/sys/class/net/\(nic.name)/flags"),
            let data = FileManager.default.contents(atPath: path)
        else { return false }
        let text = String(decoding: data.prefix(32), as: UTF8.self).trimmingWhitespaceAndNewlines()
        let digits = text.hasPrefix("0x") ? String(text.dropFirst(2)) : text
        return (UInt32(digits, radix: 16) ?? 0) & 1 == 1
    }

    /// The six bytes of `aa:bb:cc:dd:ee:ff`; nil for anything else.
    static func bytes(ofMAC text: String) -> [UInt8]? {
        let bytes = text.split(separator: ":").compactMap { $0.count == 2 ? UInt8($0, radix: 16) : nil }
        return bytes.count == 6 && text.split(separator: ":").count == 6 ? bytes : nil
    }

    /// Whether the NIC has an IPv4 address; nil when `ip` could not say.
    private func hasIPv4Address(_ nic: FallbackNIC) async -> Bool? {
        guard let result = try? await runner.run(["ip", "-4", "-o", "addr", "show", "dev", nic.name]),
            result.failure == nil
        else { return nil }
        return !result.standardOutput.trimmingWhitespaceAndNewlines().isEmpty
    }

    private func with(_ nic: FallbackNIC) -> Logger {
        var logger = logger
        logger[metadataKey: "nic"] = "\(nic.name) (\(nic.macAddress))"
        return logger
    }

    /// Runs the blocking DHCP exchange on its own thread: it polls its socket for up to the
    /// whole deadline and must not hold one of the few threads of Swift's shared pool.
    private static func offThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DetachedThread.start { continuation.resume(with: Result { try work() }) }
        }
    }
}
