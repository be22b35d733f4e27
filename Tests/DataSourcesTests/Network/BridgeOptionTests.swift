import AgentBase
import DataSources
import Testing

/// A bridge's spanning tree settings (`BridgeOption`) read from network config v1, v2 and ENI
/// into the same model, checked against the kernel's ranges; test_net.py's `all` case gives
/// the values.
@Suite struct BridgeOptionTests {
    static let v1 = """
        version: 1
        config:
          - {type: physical, name: eth3, mac_address: "66:bb:9f:2c:e8:80"}
          - {type: physical, name: eth4, mac_address: "98:bb:9f:2c:e8:80"}
          - type: bridge
            name: br0
            bridge_interfaces: [eth3, eth4]
            params: {bridge_ageing: 250, bridge_bridgeprio: 22, bridge_hello: 1, bridge_maxage: 10,
                     bridge_pathcost: ["eth3 50", "eth4 75"], bridge_portprio: ["eth3 28", "eth4 14"],
                     bridge_gcint: 2}
        """
    static let v2 = """
        version: 2
        ethernets:
          eth3: {match: {macaddress: "66:bb:9f:2c:e8:80"}}
          eth4: {match: {macaddress: "98:bb:9f:2c:e8:80"}}
        bridges:
          br0:
            interfaces: [eth3, eth4]
            parameters: {ageing-time: 250s, priority: 22, hello-time: 1, max-age: 10,
                         path-cost: {eth3: 50, eth4: 75}, port-priority: {eth3: 28, eth4: 14}}
        """
    static let eni = """
        iface eth3 inet manual
        iface eth4 inet manual
        auto br0
        iface br0 inet manual
            bridge_ports eth3 eth4
            bridge_ageing 250
            bridge-bridgeprio 22
            bridge_hello 1
            bridge_maxage 10
            bridge_pathcost eth3 50
            bridge_pathcost eth4 75
            bridge_portprio eth3 28
            bridge_portprio eth4 14
            bridge_gcint 2
        """

    static func bridge(_ config: NetworkConfiguration) throws -> BridgeSettings {
        guard case .bridge(let settings)? = config.link("br0")?.kind else {
            throw NetworkConfigError("test", field: "", "br0 is not a bridge")
        }
        return settings
    }

    @Test(arguments: ["v1", "v2", "eni"]) func everyInputGivesTheSameSettings(form: String) throws {
        let config =
            switch form {
            case "v1": try NetworkConfigV1Tests.model(Self.v1)
            case "v2": try NetworkConfigV1Tests.model(Self.v2)
            default: try ENIConverterTests.model(Self.eni)
            }
        let settings = try Self.bridge(config)
        #expect(settings.options == [.ageingTime: 250, .priority: 22, .helloTime: 1, .maxAge: 10])
        #expect(
            settings.portOptions == [.pathCost: ["eth3": 50, "eth4": 75], .portPriority: ["eth3": 28, "eth4": 14]])
        #expect(settings.options(ofPort: "eth4").map(\.1) == [75, 14])
        #expect(!config.skipped.contains { $0.contains("ageing") || $0.contains("pathcost") }, "\(config.skipped)")
        if form != "v2" {
            // ifupdown's own timing has no meaning on the other backends: named, left out.
            #expect(config.skipped.contains { $0.contains("gcint") }, "\(config.skipped)")
        }
    }

    @Test(arguments: [
        ("bridge_hello: 11", "bridge_hello", "11 is not between 1 and 10"),
        ("bridge_maxage: 5", "bridge_maxage", "5 is not between 6 and 40"),
        ("bridge_bridgeprio: 65536", "bridge_bridgeprio", "65536 is not between 0 and 65535"),
        ("bridge_portprio: [\"eth3 64\"]", "bridge_portprio", "64 is not between 0 and 63"),
        ("bridge_pathcost: [\"eth3\"]", "bridge_pathcost", "is not PORT VALUE pairs"),
        ("bridge_ageing: soon", "bridge_ageing", "'soon' is not a whole number"),
    ])
    func aValueTheKernelRefusesIsRefusedNamingTheField(param: String, field: String, reason: String) throws {
        let yaml = """
            version: 1
            config:
              - {type: physical, name: eth3, mac_address: "66:bb:9f:2c:e8:80"}
              - {type: bridge, name: br0, bridge_interfaces: [eth3], params: {\(param)}}
            """
        let text = "\(try NetworkConfigV1Tests.refusal(yaml))"
        #expect(text.contains(field) && text.contains(reason) && text.contains("br0"), "\(text)")
    }

    @Test func aPortThatIsNotTheBridgesIsLeftOutNamed() throws {
        let config = try NetworkConfigV1Tests.model(
            """
            version: 2
            ethernets: {eth3: {}, eth5: {}}
            bridges: {br0: {interfaces: [eth3], parameters: {path-cost: {eth3: 5, eth5: 7}}}}
            """)
        #expect(try Self.bridge(config).portOptions == [.pathCost: ["eth3": 5]])
        #expect(
            config.skipped.contains { $0.contains("path-cost of 'eth5', which is not a port") }, "\(config.skipped)")
    }
}
