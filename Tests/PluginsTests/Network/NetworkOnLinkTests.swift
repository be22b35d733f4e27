import AgentBase
import DataSources
import Plugins
import TestSupport
import Testing

/// Network config v2 `on-link: true`: a gateway no address's network holds is kept (not
/// dropped as unreachable) and each backend is told it is on the link.
@Suite struct NetworkOnLinkTests {
    static let v2 = """
        version: 2
        ethernets:
          eth0:
            addresses: [10.0.0.5/32, "2001:db8::5/128"]
            routes:
              - {to: default, via: 10.0.0.1, on-link: true}
              - {to: 192.168.0.0/16, via: 172.31.1.1, metric: 50, on-link: true}
              - {to: "::/0", via: "2001:db8:ff::1", on-link: true}
        """

    static func model(_ yaml: String) throws -> NetworkConfiguration {
        guard
            case .configuration(let config)? = NetworkDescription.fromCloudInitNetworkConfig(
                try YAMLParser.parse(yaml)!)
        else { throw CancellationError() }
        return config
    }

    @Test func onLinkRoutesAreKeptAndUnsaidOnesStillDropped() throws {
        let config = try Self.model(Self.v2)
        let routes = config.networks.flatMap(\.routes)
        #expect(routes.count == 3 && routes.allSatisfy(\.onLink), "\(routes)")
        let dropped = try Self.model(Self.v2.replacingOccurrences(of: ", on-link: true", with: ""))
        #expect(dropped.networks.flatMap(\.routes).isEmpty)
        #expect(dropped.skipped.filter { $0.contains("the gateway is in no network of the instance") }.count == 3)
    }

    @Test func onLinkFalseIsAPlainRoute() throws {
        let config = try Self.model(
            "version: 2\nethernets: {eth0: {addresses: [10.0.0.5/24], routes: [{to: default, via: 10.0.0.1, on-link: false}]}}"
        )
        #expect(config.networks.flatMap(\.routes).map(\.onLink) == [false])
    }

    @Test func everyBackendSaysTheGatewayIsOnTheLink() throws {
        let network = NetworkInputCases.resolved("v2-on-link").network
        let render = { (renderer: NetworkRenderer) in
            RendererSelection.render(renderer, network).map(\.text).joined()
        }
        let netplan = render(.netplan)
        #expect(netplan.components(separatedBy: "on-link: true").count - 1 == 3, "\(netplan)")
        let networkd = render(.networkd)
        #expect(networkd.components(separatedBy: "GatewayOnLink=yes").count - 1 == 3, "\(networkd)")
        let eni = render(.eni)
        for target in [
            "0.0.0.0/0 via 10.0.0.1 dev eth0 onlink", "192.168.0.0/16 via 172.31.1.1 metric 50 dev eth0 onlink",
            "-6 route replace ::/0 via 2001:db8:ff::1 dev eth0 onlink",
        ] {
            #expect(eni.contains(target), "\(target): \(eni)")
        }
        #expect(!eni.contains("gateway 10.0.0.1"), "an on-link default route is a command: \(eni)")
        let keyfile = render(.networkmanager)
        #expect(keyfile.contains("route1=0.0.0.0/0,10.0.0.1\nroute1_options=onlink=true\n"), "\(keyfile)")
        #expect(keyfile.contains("route2=192.168.0.0/16,172.31.1.1,50\nroute2_options=onlink=true\n"), "\(keyfile)")
        #expect(keyfile.contains("route1=::/0,2001:db8:ff::1\nroute1_options=onlink=true\n"), "\(keyfile)")
        #expect(!keyfile.contains("gateway="), "\(keyfile)")
    }
}
