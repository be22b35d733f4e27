import AgentBase
import FoundationEssentials
import HostEffects

/// Applies cloud-config `ntp` to the client the image has (cloud-init's cc_ntp, without
/// installing one: that is `packages`' work):
/// - chrony: a drop-in `guest-agent.sources` in the directory chrony.conf names with
///   `sourcedir` (Debian 12: /etc/chrony/sources.d), else the agent's block in chrony.conf
///   (/etc/chrony/chrony.conf, or /etc/chrony.conf on Fedora);
/// - systemd-timesyncd: /etc/systemd/timesyncd.conf.d/guest-agent.conf with `NTP=`;
/// - ntpd: the agent's block in /etc/ntpsec/ntp.conf (Debian 12's ntpsec) or /etc/ntp.conf.
/// Unlike cloud-init, which replaces the whole file with its template, the image's own
/// sources stay: the client uses them too and picks the best. With neither servers nor pools,
/// cloud-init's defaults: `0.<distro>.pool.ntp.org` to `3.` as pools. The service is
/// restarted on the live system only.
struct CloudConfigNTP: Sendable {
    let context: PluginContext

    static let timesyncdDropIn = "/etc/systemd/timesyncd.conf.d/guest-agent.conf"
    static let block = ManagedBlock(
        begin: "# BEGIN guest-agent cloud-config ntp", end: "# END guest-agent cloud-config ntp")
    static let timesyncdPaths = ["/usr/lib/systemd/systemd-timesyncd", "/lib/systemd/systemd-timesyncd"]

    /// The file written and the client, for logs and tests.
    struct Written: Equatable {
        var client: NTPConfig.Client
        var path: String
    }

    @discardableResult
    func apply(_ config: NTPConfig) async throws -> Written? {
        guard config.enabled else {
            context.logger.info("cloud-config ntp: enabled is false; nothing configured")
            return nil
        }
        let client = try choose(config.client)
        var pools = config.pools
        if config.servers.isEmpty && pools.isEmpty { pools = defaultPools() }
        let written: Written
        switch client {
        case .chrony: written = try writeChrony(servers: config.servers, pools: pools)
        case .systemdTimesyncd:
            let text =
                "# Written by guest-agent from cloud-config ntp.\n[Time]\nNTP=\((config.servers + pools).joined(separator: " "))\n"
            try context.writer.makeDirectory("/etc/systemd/timesyncd.conf.d", createOnly: true)
            try context.writer.writeIfChanged(Data(text.utf8), to: Self.timesyncdDropIn)
            written = Written(client: .systemdTimesyncd, path: Self.timesyncdDropIn)
        default:
            let path = exists("/etc/ntpsec/ntp.conf") ? "/etc/ntpsec/ntp.conf" : "/etc/ntp.conf"
            try writeBlock(Self.sourceLines(servers: config.servers, pools: pools), in: path)
            written = Written(client: .ntp, path: path)
        }
        context.logger.info(
            "cloud-config ntp configured",
            metadata: ["client": "\(written.client.rawValue)", "file": "\(written.path)"])
        if context.root.isLiveSystem { try await restart(written.client) }
        return written
    }

    /// chrony/ntpd source lines, pools first (cloud-init's templates).
    static func sourceLines(servers: [String], pools: [String]) -> [String] {
        pools.map { "pool \($0) iburst" } + servers.map { "server \($0) iburst" }
    }

    /// The client to configure: the one named, which must be there, or for `auto` the first the
    /// root has in cloud-init's Debian order (chrony, systemd-timesyncd, ntp).
    func choose(_ wanted: NTPConfig.Client) throws -> NTPConfig.Client {
        let present: [NTPConfig.Client: Bool] = [
            .chrony: context.tools.find("chronyd") != nil,
            .systemdTimesyncd: Self.timesyncdPaths.contains(where: exists),
            .ntp: context.tools.find("ntpd") != nil,
        ]
        if wanted != .auto {
            guard present[wanted] == true else { throw NTPClientMissing(client: wanted.rawValue) }
            return wanted
        }
        guard let found = [NTPConfig.Client.chrony, .systemdTimesyncd, .ntp].first(where: { present[$0] == true })
        else {
            throw NTPClientMissing(client: nil)
        }
        return found
    }

    private func writeChrony(servers: [String], pools: [String]) throws -> Written {
        let config =
            exists("/etc/chrony/chrony.conf") || !exists("/etc/chrony.conf")
            ? "/etc/chrony/chrony.conf" : "/etc/chrony.conf"
        let lines = Self.sourceLines(servers: servers, pools: pools)
        if let text = try context.writer.read(config),
            let directory = Self.sourceDirectory(String(decoding: text, as: UTF8.self))
        {
            let path = directory + "/guest-agent.sources"
            try context.writer.makeDirectory(directory, createOnly: true)
            try context.writer.writeIfChanged(
                Data((["# Written by guest-agent from cloud-config ntp."] + lines + [""]).joined(separator: "\n").utf8),
                to: path)
            return Written(client: .chrony, path: path)
        }
        try writeBlock(lines, in: config)
        return Written(client: .chrony, path: config)
    }

    /// The first `sourcedir` of chrony.conf outside /run (Debian's /run/chrony-dhcp is for DHCP's
    /// servers and is not kept across boots).
    static func sourceDirectory(_ chronyConf: String) -> String? {
        for line in chronyConf.split(separator: "\n") {
            let words = line.split(whereSeparator: \.isWhitespace)
            guard words.count >= 2, words[0] == "sourcedir" else { continue }
            let path = String(words[1])
            if !path.hasPrefix("/run/"), SystemRoot.problem(with: path) == nil { return path }
        }
        return nil
    }

    private func writeBlock(_ lines: [String], in path: String) throws {
        let existing = try context.writer.read(path) ?? Data()
        try context.writer.writeIfChanged(Self.block.replacing(in: existing, with: lines).data, to: path)
    }

    private func exists(_ guestPath: String) -> Bool {
        (try? context.root.resolve(guestPath)).map { FileManager.default.fileExists(atPath: $0) } ?? false
    }

    /// cloud-init's `generate_server_names`: `N.<distro>.pool.ntp.org`, the distro from
    /// os-release for the vendor zones that exist, else `N.pool.ntp.org`.
    func defaultPools() -> [String] {
        var zone = ""
        if let data = try? context.writer.read("/etc/os-release") {
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("ID=") {
                let id = line.dropFirst(3).filter { $0 != "\"" }
                if ["debian", "ubuntu", "fedora", "centos", "opensuse"].contains(id) { zone = id + "." }
            }
        }
        return (0...3).map { "\($0).\(zone)pool.ntp.org" }
    }

    /// Restarts the client's unit (its name differs between distributions).
    func restart(_ client: NTPConfig.Client) async throws {
        let units: [String] =
            switch client {
            case .chrony: ["chrony.service", "chronyd.service"]
            case .systemdTimesyncd: ["systemd-timesyncd.service"]
            default: ["ntpsec.service", "ntp.service", "ntpd.service"]
            }
        guard context.tools.find("systemctl") != nil else {
            context.logger.info("cloud-config ntp: no systemctl; the client reads the file when it starts")
            return
        }
        for unit in units {
            if let result = try? await context.runner.run(["systemctl", "restart", unit]), result.failure == nil {
                return
            }
        }
        throw HostError.commandFailed(
            argv: ["systemctl", "restart"] + units, status: "no unit could be restarted", stderr: "")
    }
}

struct NTPClientMissing: Error, CustomStringConvertible {
    var client: String?
    var description: String {
        if let client { return "ntp_client \(client) is not installed in the root (install it with packages)" }
        return "the root has no NTP client (chronyd, systemd-timesyncd, ntpd); install one with packages"
    }
}
