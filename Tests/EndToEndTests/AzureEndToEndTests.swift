import Foundation
import TestSupport
import Testing

/// Azure end to end: the built agent in one network namespace, the mock in another holding
/// both of Azure's addresses (IMDS at 169.254.169.254, the WireServer at 168.63.129.16, the
/// agent's default URLs), DMI faked under `--root`. The mock refuses IMDS without
/// `Metadata: true`, the WireServer without `x-ms-version`, and accepts only a health report
/// saying Ready for the goal state it served, recording it: a run whose report the mock
/// recorded proves the whole exchange.
@Suite(.serialized) struct AzureEndToEndTests {
    static var canUseNetns: Bool { Program.isRoot && Program.which("ip") != nil }
    static let tag = "7783-7084-3265-9085-8269-3286-77"
    static let wireServer = "168.63.129.16"

    /// The mock on every address of the server's namespace, which also holds the WireServer's
    /// address; the client reaches that address over the pair (an on-link route).
    /// `routed: false` leaves the client without a route to the WireServer.
    static func server(
        _ namespaces: LinkLocalNamespaceTests.NamespacePair, work: TemporaryDirectory, routed: Bool = true,
        arguments: [String] = []
    ) async throws -> MockServerProcess {
        var steps = [["-n", namespaces.server, "addr", "add", "\(wireServer)/32", "dev", namespaces.serverLink]]
        if routed {
            steps.append(["-n", namespaces.client, "route", "add", "\(wireServer)/32", "dev", namespaces.clientLink])
        }
        for step in steps {
            let result = try await Program.tool("ip", step)
            #expect(result.status == 0, "ip \(step): \(result.standardError)")
        }
        return try await MockServerProcess(
            fixtures: CloudsEndToEndTests.fixtures, arguments: arguments,
            prefix: ["/usr/bin/env", "ip", "netns", "exec", namespaces.server], bind: "0.0.0.0", port: 80,
            logDirectory: work.path)
    }

    static func statuses(_ log: [[String: Any]]) -> [String: Int] {
        Dictionary(
            log.compactMap { entry -> (String, Int)? in
                guard let method = entry["method"] as? String, let path = entry["path"] as? String,
                    let status = entry["status"] as? Int
                else { return nil }
                return ("\(method) \(path)?\(entry["query"] as? String ?? "")", status)
            }, uniquingKeysWith: { $1 })
    }

    static func demoKey() throws -> String {
        try String(
            contentsOfFile: BuiltProducts.repository.appendingPathComponent("fixtures/keys/demo_rsa.pub").path,
            encoding: .utf8
        ).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(.enabled(if: canUseNetns, "needs root and iproute2 for network namespaces: skipped (CI runs as root)"))
    func theInstanceIsConfiguredAndReportsReady() async throws {
        let namespaces = try await LinkLocalNamespaceTests.NamespacePair()
        let work = try TemporaryDirectory(prefix: "guest-agent-azure")
        let server = try await Self.server(namespaces, work: work)
        defer { server.stop() }
        let root = try PluginTestContext.makeRoot(users: ["azureuser"])
        try root.write(Self.tag + "\n", to: "sys/class/dmi/id/chassis_asset_tag")
        try root.write("00:0d:3a:04:75:98\n", to: "sys/class/net/eth0/address")
        try root.write("00:0d:3a:04:75:a1\n", to: "sys/class/net/eth1/address")
        let config = try CloudsEndToEndTests.config(in: work, source: "azure")

        let result = try await CloudsEndToEndTests.run(namespaces, config: config, root: root.path)
        #expect(result.status == 0, "\(result.standardOutput)\n\(result.standardError)")
        #expect(root.read("etc/hostname") == "azure-demo\n")
        let authorized = root.read("home/azureuser/.ssh/authorized_keys") ?? ""
        #expect(authorized.contains(try Self.demoKey()), "IMDS's key for its adminUsername: \(authorized)")
        #expect(
            root.read("etc/guest-agent-demo/user-data.txt")?.contains("written by azure-demo's user data") == true,
            "\(result.standardOutput)")
        let netplan = root.read("etc/netplan/50-guest-agent.yaml") ?? ""
        for text in ["dhcp4: true", "10.0.0.5/24", "00:0d:3a:04:75:98", "00:0d:3a:04:75:a1"] {
            #expect(netplan.contains(text), "\(text) not in:\n\(netplan)")
        }
        let log = server.loggedRequests()
        let statuses = Self.statuses(log)
        #expect(statuses["GET /metadata/instance?api-version=2021-08-01&extended=true"] == 200, "\(log)")
        #expect(statuses["GET /machine?comp=goalstate"] == 200, "\(log)")
        #expect(statuses["POST /machine?comp=health"] == 200, "\(log)")
        let reports = log.compactMap { $0["healthReport"] as? String }
        #expect(reports.count == 1, "one report, accepted at once: \(log)")
        let report = reports.first ?? ""
        for text in [
            "<GoalStateIncarnation>2</GoalStateIncarnation>",
            "<ContainerId>7f4d1a1c-8b62-4d5e-a2b3-3c9d0e1f2a4b</ContainerId>",
            "<InstanceId>a6f2b3c8-1d4e-4f5a-9b7c-0e1d2c3b4a59.azure-demo</InstanceId>", "<State>Ready</State>",
        ] {
            #expect(report.contains(text), "\(text) not in the report:\n\(report)")
        }
        // After the plugins: the user data's file was written before the report arrived.
        let healthStart = log.first { ($0["query"] as? String) == "comp=health" }?["start"] as? Double ?? 0
        let written =
            try FileManager.default.attributesOfItem(
                atPath: root.path + "/etc/guest-agent-demo/user-data.txt")[.modificationDate] as? Date
        #expect((written?.timeIntervalSince1970 ?? .infinity) <= healthStart, "the report came before the plugins")
        #expect(result.standardError.contains("reported ready to Azure"), "\(result.standardError)")
    }

    /// The same services at the same addresses, but no Azure chassis tag: nothing is asked,
    /// no report, and the run ends at once.
    @Test(.enabled(if: canUseNetns, "needs root and iproute2 for network namespaces: skipped (CI runs as root)"))
    func withoutItsDMISignalAzureIsNeitherAskedNorAwaited() async throws {
        let namespaces = try await LinkLocalNamespaceTests.NamespacePair()
        let work = try TemporaryDirectory(prefix: "guest-agent-azure")
        let server = try await Self.server(namespaces, work: work)
        defer { server.stop() }
        let root = try PluginTestContext.makeRoot()
        try root.write("Microsoft Corporation\n", to: "sys/class/dmi/id/sys_vendor")
        let config = try CloudsEndToEndTests.config(in: work, source: "azure")
        let result = try await CloudsEndToEndTests.run(namespaces, config: config, root: root.path)
        #expect(result.status == 2, "\(result.standardOutput)\n\(result.standardError)")
        // A functional bound, not a benchmark: a source that waited would end at the 20 s
        // deadline (the agent's own run time, as the other clouds' tests measure it).
        #expect(result.elapsed < 15, "took \(result.elapsed) s with a 20 s deadline")
        #expect(server.loggedRequests().isEmpty, "\(server.loggedRequests())")
        #expect(root.read("etc/hostname") == nil)
    }

    static func configuredRoot() throws -> TemporaryDirectory {
        let root = try PluginTestContext.makeRoot(users: ["azureuser"])
        try root.write(Self.tag + "\n", to: "sys/class/dmi/id/chassis_asset_tag")
        return root
    }

    /// A WireServer that never accepts the report (500 to every health POST; `retry_count = 0`,
    /// so the HTTP client sends each request once): exactly five exchanges, the failure logged
    /// and named, and the run still a success, ended in seconds.
    @Test(.enabled(if: canUseNetns, "needs root and iproute2 for network namespaces: skipped (CI runs as root)"))
    func aReportNeverAcceptedIsTriedFiveTimesThenLoggedNotTheRunsFailure() async throws {
        let namespaces = try await LinkLocalNamespaceTests.NamespacePair()
        let work = try TemporaryDirectory(prefix: "guest-agent-azure")
        let server = try await Self.server(
            namespaces, work: work, arguments: ["--fail-first", "1000:POST /machine"])
        defer { server.stop() }
        let root = try Self.configuredRoot()
        let config = try work.write(
            "metadata_services = azure\nretry_count = 0\ndiscovery_timeout = 20\nplugins = hostname\n", to: "agent.conf"
        )
        let result = try await CloudsEndToEndTests.run(namespaces, config: config, root: root.path)
        #expect(result.status == 0, "\(result.standardOutput)\n\(result.standardError)")
        #expect(root.read("etc/hostname") == "azure-demo\n")
        let posts = server.loggedRequests().filter { ($0["method"] as? String) == "POST" }
        #expect(posts.count == 5, "\(posts)")
        #expect(posts.allSatisfy { ($0["status"] as? Int) == 500 && $0["healthReport"] == nil })
        #expect(
            result.standardError.contains("the Azure ready report failed")
                && result.standardError.contains("not accepted after 5 attempt(s)"), "\(result.standardError)")
        #expect(result.elapsed < 30, "four 2 s pauses and ten quick requests: took \(result.elapsed) s")
        #expect(result.elapsed >= 8, "the four 2 s pauses between the attempts: took \(result.elapsed) s")
    }

    /// No route to the WireServer: the report gives up at once (waiting gives no route), the
    /// failure is named, the instance is configured and the run succeeds.
    @Test(.enabled(if: canUseNetns, "needs root and iproute2 for network namespaces: skipped (CI runs as root)"))
    func withoutARouteToTheWireServerTheReportEndsAtOnce() async throws {
        let namespaces = try await LinkLocalNamespaceTests.NamespacePair()
        let work = try TemporaryDirectory(prefix: "guest-agent-azure")
        let server = try await Self.server(namespaces, work: work, routed: false)
        defer { server.stop() }
        let root = try Self.configuredRoot()
        let config = try CloudsEndToEndTests.config(in: work, source: "azure")
        let result = try await CloudsEndToEndTests.run(namespaces, config: config, root: root.path)
        #expect(result.status == 0, "\(result.standardOutput)\n\(result.standardError)")
        #expect(root.read("etc/hostname") == "azure-demo\n")
        #expect(result.standardError.contains("the Azure ready report failed"), "\(result.standardError)")
        #expect(result.standardError.contains("not accepted after 1 attempt(s)"), "\(result.standardError)")
        #expect(result.elapsed < 10, "took \(result.elapsed) s")
        #expect(!server.loggedRequests().contains { ($0["path"] as? String) == "/machine" })
    }

    /// Every source enabled (the default `metadata_services`), Azure's DMI, and services that
    /// never answer: Azure is tried first (the platform hint) and the discovery deadline stops
    /// it; the run ends within the deadline, with no report sent.
    @Test(.enabled(if: canUseNetns, "needs root and iproute2 for network namespaces: skipped (CI runs as root)"))
    func everySourceEnabledEndsWithinTheDeadlineWhenAzureNeverAnswers() async throws {
        let namespaces = try await LinkLocalNamespaceTests.NamespacePair()
        let work = try TemporaryDirectory(prefix: "guest-agent-azure")
        let server = try await Self.server(namespaces, work: work, arguments: ["--hang", "/*"])
        defer { server.stop() }
        let root = try Self.configuredRoot()
        let config = try work.write(
            "request_timeout = 30\ndiscovery_timeout = 3\nplugins = hostname\n", to: "agent.conf")
        let result = try await CloudsEndToEndTests.run(namespaces, config: config, root: root.path)
        #expect(result.status == 2, "\(result.standardOutput)\n\(result.standardError)")
        #expect(result.elapsed < 20, "a functional bound, generous for a loaded machine")
        #expect(
            result.standardOutput.contains("source azure: gave up when the discovery deadline of 3.0 s passed"),
            "\(result.standardOutput)")
        #expect(!server.loggedRequests().contains { ($0["path"] as? String) == "/machine" })
    }

    /// A dry run reads the instance but tells the platform nothing: no goal state, no report.
    @Test(.enabled(if: canUseNetns, "needs root and iproute2 for network namespaces: skipped (CI runs as root)"))
    func aDryRunSendsNoReport() async throws {
        let namespaces = try await LinkLocalNamespaceTests.NamespacePair()
        let work = try TemporaryDirectory(prefix: "guest-agent-azure")
        let server = try await Self.server(namespaces, work: work)
        defer { server.stop() }
        let root = try Self.configuredRoot()
        let config = try CloudsEndToEndTests.config(in: work, source: "azure")
        let result = try await Program.tool(
            "ip",
            [
                "netns", "exec", namespaces.client, BuiltProducts.path("guest-agent"), "run", "--dry-run", "--config",
                config, "--root", root.path,
            ], timeout: 60)
        #expect(result.status == 0, "\(result.standardOutput)\n\(result.standardError)")
        let paths = server.loggedRequests().compactMap { $0["path"] as? String }
        #expect(paths.contains("/metadata/instance"), "\(paths)")
        #expect(!paths.contains("/machine"), "\(paths)")
    }

    /// The provisioning CD: an ISO 9660 image made by genisoimage holding `ovf-env.xml`, on a
    /// loop device the root's device scan finds (no label link), the real useradd and
    /// chpasswd in the root. The media's password is set for the user (proven against the
    /// shadow hash), sshd's password authentication follows DisableSshPasswordAuthentication,
    /// its CustomData is the user data (winning over IMDS's, as in cloud-init),
    /// IMDS's host name and keys still win over the media's, and the report is sent.
    @Test(
        .enabled(
            if: canUseNetns && OpenNebulaEndToEndTests.enabled,
            "needs root, iproute2, losetup, genisoimage, useradd and chpasswd: skipped (CI runs as root)"))
    func theProvisioningMediaGivesPasswordAndCustomData() async throws {
        let namespaces = try await LinkLocalNamespaceTests.NamespacePair()
        let work = try TemporaryDirectory(prefix: "guest-agent-azure")
        let server = try await Self.server(namespaces, work: work)
        defer { server.stop() }
        let root = try UsersRealToolsRoot.make()
        try root.write(Self.tag + "\n", to: "sys/class/dmi/id/chassis_asset_tag")
        try root.write("PasswordAuthentication no\n", to: "etc/ssh/sshd_config")
        let password = "Az<ure> & 'pass' 42"
        let customData =
            "#cloud-config\nwrite_files:\n  - path: /etc/guest-agent-demo/user-data.txt\n"
            + "    content: written by the ovf-env.xml custom data\n"
        let ovf = """
            <?xml version="1.0" encoding="utf-8"?>
            <Environment xmlns="http://schemas.dmtf.org/ovf/environment/1" xmlns:wa="http://schemas.microsoft.com/windowsazure">
              <wa:ProvisioningSection><wa:Version>1.0</wa:Version>
                <LinuxProvisioningConfigurationSet xmlns="http://schemas.microsoft.com/windowsazure">
                  <ConfigurationSetType>LinuxProvisioningConfiguration</ConfigurationSetType>
                  <HostName>ovf-host</HostName><UserName>azureuser</UserName>
                  <UserPassword>Az&lt;ure&gt; &amp; 'pass' 42</UserPassword>
                  <DisableSshPasswordAuthentication>false</DisableSshPasswordAuthentication>
                  <CustomData>\(Data(customData.utf8).base64EncodedString())</CustomData>
                </LinuxProvisioningConfigurationSet>
              </wa:ProvisioningSection>
            </Environment>
            """
        let stage = work.path + "/media"
        try FileManager.default.createDirectory(atPath: stage, withIntermediateDirectories: true)
        try Data(ovf.utf8).write(to: URL(fileURLWithPath: stage + "/ovf-env.xml"))
        let image = work.path + "/provisioning.iso"
        try ConfigDriveImages.check(
            await Program.tool("genisoimage", ["-quiet", "-J", "-R", "-V", "rd_rdfe_stable", "-o", image, stage]),
            "genisoimage")
        let loop = try await OpenNebulaContextDrive.Loop(image: image)
        try await loop.node(in: root, byLabel: false)
        let config = try work.write(
            """
            [DEFAULT]
            metadata_services = azure
            retry_count_interval = 0.05
            discovery_timeout = 20
            plugins = hostname, users, platform_password, ssh_keys, userdata
            """, to: "agent.conf")

        let result = try await CloudsEndToEndTests.run(namespaces, config: config, root: root.path)
        #expect(result.status == 0, "\(result.standardOutput)\n\(result.standardError)")
        #expect(root.read("etc/hostname") == "azure-demo\n", "IMDS's computerName wins over the media's HostName")
        #expect(root.read("home/azureuser/.ssh/authorized_keys")?.contains(try Self.demoKey()) == true)
        #expect(
            root.read("etc/guest-agent-demo/user-data.txt")?.contains("written by the ovf-env.xml custom data") == true,
            "\(result.standardOutput)")
        let hash = FirstBootEndToEndTests.shadowHash(root, user: "azureuser")
        #expect(
            try await OpenNebulaEndToEndTests.verifies(password, hash), "the shadow hash is not the media's password")
        let sshd = root.read("etc/ssh/sshd_config") ?? ""
        #expect(sshd.contains("PasswordAuthentication yes"), "DisableSshPasswordAuthentication false: \(sshd)")
        #expect(!result.standardOutput.contains("pass' 42") && !result.standardError.contains("pass' 42"))
        #expect(server.loggedRequests().contains { $0["healthReport"] != nil }, "\(server.loggedRequests())")
        withExtendedLifetime(loop) {}
    }

    /// The mock's rules the run above relies on: IMDS without `Metadata: true` is refused
    /// with 400 (as Azure's IMDS refuses it), the WireServer without `x-ms-version` too, and
    /// a health report that is not Ready for the served goal state is not accepted (nor
    /// recorded). With the header, each answers 200.
    @Test func theMockRefusesWhatAzureRefuses() async throws {
        let work = try TemporaryDirectory(prefix: "guest-agent-azure")
        let server = try await MockServerProcess(fixtures: CloudsEndToEndTests.fixtures, logDirectory: work.path)
        defer { server.stop() }
        let script = """
            import sys, urllib.request, urllib.error
            url, method, body = sys.argv[1], sys.argv[2], sys.argv[3].encode() or None
            headers = dict(pair.split(":", 1) for pair in sys.argv[4:])
            request = urllib.request.Request(url, data=body, headers=headers, method=method)
            try:
                print(urllib.request.urlopen(request, timeout=10).status)
            except urllib.error.HTTPError as error:
                print(error.code)
            """
        func status(_ path: String, _ headers: [String] = [], method: String = "GET", body: String = "")
            async throws -> String
        {
            let url = server.baseURL.absoluteString + path
            let result = try await Program.tool("python3", ["-c", script, url, method, body] + headers)
            return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) + result.standardError
        }
        let imds = "/metadata/instance?api-version=2021-08-01"
        #expect(try await status(imds) == "400")
        #expect(try await status(imds, ["Metadata:false"]) == "400")
        #expect(try await status("/metadata/instance", ["Metadata:true"]) == "400", "no api-version")
        #expect(try await status(imds, ["Metadata:true"]) == "200")
        #expect(try await status("/machine/?comp=goalstate") == "400")
        #expect(try await status("/machine/?comp=goalstate", ["x-ms-version:2012-11-30"]) == "200")
        let ready = """
            <Health><GoalStateIncarnation>2</GoalStateIncarnation><Container>\
            <ContainerId>7f4d1a1c-8b62-4d5e-a2b3-3c9d0e1f2a4b</ContainerId><RoleInstanceList><Role>\
            <InstanceId>a6f2b3c8-1d4e-4f5a-9b7c-0e1d2c3b4a59.azure-demo</InstanceId><Health><State>Ready</State>\
            </Health></Role></RoleInstanceList></Container></Health>
            """
        let xml = ["Content-Type:text/xml; charset=utf-8"]
        #expect(try await status("/machine?comp=health", xml, method: "POST", body: ready) == "400", "no x-ms-version")
        let version = ["x-ms-version:2012-11-30"]
        let stale = ready.replacingOccurrences(of: "Incarnation>2<", with: "Incarnation>1<")
        #expect(try await status("/machine?comp=health", xml + version, method: "POST", body: stale) == "400")
        #expect(try await status("/machine?comp=health", xml + version, method: "POST", body: ready) == "200")
        let recorded = server.loggedRequests().compactMap { $0["healthReport"] as? String }
        #expect(recorded == [ready], "only the accepted report is recorded")
    }
}
