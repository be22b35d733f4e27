import AgentBase
import DataSources
import Foundation
import HostEffects
import Plugins
import TestSupport
import Testing

/// A NIC the source names (network config v1 `name` beside a MAC, v2 `set-name`) takes that
/// name, as cloud-init renames it: every file uses the new name, each backend renames it at
/// boot in its own way, and on the running system the agent renames it while it is down.
@Suite struct NetworkRenameTests {
    static let nics = GuestNICs(byMAC: ["52:54:00:00:00:01": "ens3", "52:54:00:00:00:02": "ens4"])

    static func resolve(_ yaml: String, nics: GuestNICs = nics) throws -> NetworkResolver.Result {
        guard
            case .configuration(let config)? = NetworkDescription.fromCloudInitNetworkConfig(
                try YAMLParser.parse(yaml)!)
        else { throw CancellationError() }
        return NetworkResolver.resolve(config, nics: nics)
    }

    static let v1 = """
        version: 1
        config:
          - {type: physical, name: lan0, mac_address: "52:54:00:00:00:01", subnets: [{type: dhcp}]}
        """

    @Test(arguments: [
        v1,
        "version: 2\nethernets: {nic: {match: {macaddress: '52:54:00:00:00:01'}, set-name: lan0, dhcp4: true}}",
        "version: 2\nethernets: {nic: {match: {name: ens3}, set-name: lan0, dhcp4: true}}",
    ])
    func theSourcesNameIsTheNICsNewName(yaml: String) throws {
        let result = try Self.resolve(yaml)
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        let interface = try #require(result.network.interfaces.first)
        #expect(interface.name == "lan0" && interface.kernelName == "ens3" && interface.deviceName == "ens3")
        #expect(interface.guestMAC == "52:54:00:00:00:01")
    }

    @Test(arguments: [
        // A v2 id is not a name: the kernel's is kept (cloud-init's meaning of `match` without `set-name`).
        "version: 2\nethernets: {nic: {match: {macaddress: '52:54:00:00:00:01'}, dhcp4: true}}",
        // The name the kernel already gave it.
        "version: 1\nconfig:\n- {type: physical, name: ens3, mac_address: '52:54:00:00:00:01', subnets: [{type: dhcp}]}",
    ])
    func nothingToRenameKeepsTheKernelsName(yaml: String) throws {
        let interface = try #require(try Self.resolve(yaml).network.interfaces.first)
        #expect(interface.name == "ens3" && interface.kernelName == nil)
        #expect(InterfaceNamingRules.render(ResolvedNetwork(interfaces: [interface])).isEmpty)
    }

    @Test func aNameAnotherNICHasNowIsNotTaken() throws {
        // ens4 is another NIC's name: renaming would fail, and files under that name would
        // configure the other NIC.
        let result = try Self.resolve(
            "version: 1\nconfig:\n- {type: physical, name: ens4, mac_address: '52:54:00:00:00:01', subnets: [{type: dhcp}]}"
        )
        #expect(result.network.interfaces.map(\.name) == ["ens3"])
        #expect(result.network.interfaces.first?.kernelName == nil)
        #expect(
            result.warnings == ["link 'ens4': guest interface 'ens3' keeps its name: 'ens4' is another interface's"],
            "\(result.warnings)")
    }

    @Test func networkDataJSONNeverRenames() throws {
        let config = NetworkFixtures.model(NetworkFixtures.staticIPv4)
        let network = NetworkResolver.resolve(config, nics: GuestNICs(byMAC: ["fa:16:3e:00:00:01": "ens3"])).network
        #expect(network.interfaces.map(\.name) == ["ens3"] && network.interfaces.allSatisfy { $0.kernelName == nil })
    }

    @Test func everyBackendRenamesAtBootInItsOwnWay() throws {
        let network = try Self.resolve(Self.v1).network
        let files = { (renderer: NetworkRenderer) in
            Dictionary(uniqueKeysWithValues: RendererSelection.render(renderer, network).map { ($0.path, $0.text) })
        }
        let netplan = try #require(files(.netplan)[NetplanRenderer.path])
        #expect(
            netplan.contains("lan0:\n      match:\n        macaddress: \"52:54:00:00:00:01\"\n      set-name: lan0\n"))
        let networkd = files(.networkd)
        let link = try #require(networkd[NetworkdRenderer.directory + "/10-guest-agent-lan0.link"])
        #expect(link.contains("[Match]\nMACAddress=52:54:00:00:00:01\n") && link.contains("[Link]\nName=lan0\n"))
        #expect(networkd[NetworkdRenderer.directory + "/10-guest-agent-lan0.network"]?.contains("Name=lan0\n") == true)
        let rule =
            "SUBSYSTEM==\"net\", ACTION==\"add\", DRIVERS==\"?*\", ATTR{address}==\"52:54:00:00:00:01\", NAME=\"lan0\"\n"
        for renderer in [NetworkRenderer.eni, .networkmanager] {
            #expect(files(renderer)[InterfaceNamingRules.path]?.hasSuffix(rule) == true, "\(renderer)")
        }
        #expect(files(.eni)[ENIRenderer.path]?.contains("iface lan0 inet dhcp") == true)
        let keyfile = try #require(
            files(.networkmanager)[NetworkManagerRenderer.directory + "/guest-agent-lan0.nmconnection"])
        #expect(keyfile.contains("interface-name=lan0\n") && keyfile.contains("mac-address=52:54:00:00:00:01\n"))
        #expect(files(.netplan)[InterfaceNamingRules.path] == nil && networkd[InterfaceNamingRules.path] == nil)
    }

    /// Records renames; `up` names the interfaces the kernel would refuse to rename.
    final class RecordingInterfaces: LiveInterfaces, @unchecked Sendable {
        let up: Set<String>
        private let lock = NSLock()
        private var done: [String] = []
        init(up: Set<String> = []) { self.up = up }
        var renames: [String] { lock.withLock { done } }
        func rename(_ name: String, to newName: String) throws {
            if up.contains(name) { throw InterfaceRenameError.up(name) }
            lock.withLock { done.append("\(name)->\(newName)") }
        }
    }

    static func context(root: TemporaryDirectory, interfaces: RecordingInterfaces, logs: LogCapture) -> PluginContext {
        var config = AgentConfig()
        config.network.networkRenderer = .eni
        let metadata = InstanceMetadata(
            sourceID: "nocloud", instanceID: "i-1",
            network: NetworkDescription.fromCloudInitNetworkConfig(try! YAMLParser.parse(v1)!))
        return PluginTestContext.context(
            metadata, root: root, config: config, logger: logs.logger(), liveInterfaces: interfaces)
    }

    @Test func theRunningSystemsNICIsRenamedBeforeItsFilesAreWritten() async throws {
        let root = try NetworkPluginTests.root(nics: ["ens3": "52:54:00:00:00:01"])
        let interfaces = RecordingInterfaces()
        let logs = LogCapture()
        #expect(
            try await NetworkPlugin().planAndApply(Self.context(root: root, interfaces: interfaces, logs: logs))
                == .done)
        #expect(interfaces.renames == ["ens3->lan0"])
        #expect(logs.text.contains("renamed ens3 to lan0"), "\(logs.text)")
        #expect(root.read("etc/udev/rules.d/70-guest-agent-net.rules")?.contains("NAME=\"lan0\"") == true)
    }

    @Test func aNICThatIsUpIsRenamedAtTheNextBootAndThePluginGoesOn() async throws {
        let root = try NetworkPluginTests.root(nics: ["ens3": "52:54:00:00:00:01"])
        let interfaces = RecordingInterfaces(up: ["ens3"])
        let logs = LogCapture()
        #expect(
            try await NetworkPlugin().planAndApply(Self.context(root: root, interfaces: interfaces, logs: logs))
                == .done)
        #expect(interfaces.renames.isEmpty)
        #expect(logs.text.contains("ens3 is up: it becomes lan0 at the next boot"), "\(logs.text)")
        #expect(root.read("etc/network/interfaces.d/50-guest-agent")?.contains("iface lan0 inet dhcp") == true)
    }

    @Test func theNamingRuleOfAnEarlierRunIsRemovedWhenNothingIsRenamed() async throws {
        let root = try NetworkPluginTests.root(nics: ["ens3": "52:54:00:00:00:01"])
        try root.write("# old\n", to: "etc/udev/rules.d/70-guest-agent-net.rules")
        try root.write("# the image's\n", to: "etc/udev/rules.d/70-persistent-net.rules")
        var config = AgentConfig()
        config.network.networkRenderer = .eni
        let metadata = InstanceMetadata(
            sourceID: "nocloud", instanceID: "i-1",
            network: NetworkDescription.fromCloudInitNetworkConfig(
                try YAMLParser.parse(
                    "version: 2\nethernets: {nic: {match: {macaddress: '52:54:00:00:00:01'}, dhcp4: true}}")!))
        #expect(
            try await NetworkPlugin().planAndApply(PluginTestContext.context(metadata, root: root, config: config))
                == .done)
        #expect(root.read("etc/udev/rules.d/70-guest-agent-net.rules") == nil)
        #expect(root.read("etc/udev/rules.d/70-persistent-net.rules") == "# the image's\n")
    }
}
