import AgentBase
import FoundationEssentials

/// Apache CloudStack's virtual router (docs/PROTOCOLS.md, CloudStack), and Exoscale, which
/// serves the same protocol at a fixed address: only when DMI's product name says so
/// (cloud-init's `ds_detect`), so an instance elsewhere never waits on it.
///
/// `http://ROUTER/latest/meta-data/{instance-id,local-hostname,public-keys,availability-zone}`,
/// `/latest/user-data`, and the password server on port 8080 (`CloudStackPasswordServer`),
/// asked at every boot and never acknowledged here: the plugin that sets the password does
/// that once /etc/shadow holds it.
public struct CloudStackSource: DataSource {
    public let id: String
    public let isLocal = false
    public let flavor: Flavor
    public let root: SystemRoot
    public let client: MetadataHTTPClient
    public let needs: MetadataNeeds
    public let ports: Ports

    /// The router's ports: the metadata on HTTP's own, the password server on 8080. Tests
    /// move them to a loopback server's.
    public struct Ports: Sendable, Equatable {
        public var metadata: Int?
        public var password: Int
        public init(metadata: Int?, password: Int) {
            self.metadata = metadata
            self.password = password
        }
        public static let standard = Ports(metadata: nil, password: CloudStackPasswordServer.port)
    }

    /// What differs between CloudStack and Exoscale.
    public struct Flavor: Sendable, Equatable {
        /// The DMI product name's prefix that gates the source.
        public var productPrefix: String
        /// A fixed metadata address; nil: the virtual router, from the leases.
        public var fixedAddress: String?
        /// The metadata version path (`latest`; Exoscale `1.0`).
        public var version: String

        /// cloud-init `DataSourceCloudStack`: product name `CloudStack*`, the router from DHCP.
        public static let cloudStack = Flavor(productPrefix: "CloudStack", fixedAddress: nil, version: "latest")
        /// cloud-init `DataSourceExoscale`: product name `Exoscale*`, 169.254.169.254, version `1.0`.
        public static let exoscale = Flavor(productPrefix: "Exoscale", fixedAddress: "169.254.169.254", version: "1.0")

        /// What gates the source, and moves it first in the platform hint (`CloudSignals`).
        public var signal: DMISignal { DMISignal("product_name", .hasPrefix(productPrefix)) }
    }

    public init(
        id: String = "cloudstack", flavor: Flavor = .cloudStack, root: SystemRoot, client: MetadataHTTPClient,
        needs: MetadataNeeds = .all, ports: Ports = .standard
    ) {
        self.ports = ports
        self.id = id
        self.flavor = flavor
        self.root = root
        self.client = client
        self.needs = needs
    }

    public func load() async throws -> InstanceMetadata? {
        guard flavor.signal.isPresent(under: root) else { return nil }
        let router: String
        if let fixed = flavor.fixedAddress {
            router = fixed
        } else {
            guard let found = VirtualRouterLocator(root: root).locate() else {
                // No lease and no default route: the network is not up yet (a NIC still waiting
                // for its lease), so discovery loads this source again until its deadline, as it
                // does for any source with no route to its service.
                throw DataSourceError.networkUnreachable(
                    url:
                        "the virtual router (no DHCP lease under /var/lib/dhcp, /run/systemd/netif/leases or /var/lib/NetworkManager, no default route)"
                )
            }
            router = found.address
        }
        let host = router.contains(":") ? "[\(router)]" : router
        let port = ports.metadata.map { ":\($0)" } ?? ""
        guard let base = URL(string: "http://\(host)\(port)/\(flavor.version)/") else {
            throw DataSourceError.malformedDocument(location: "router address", reason: "'\(router)' is not a host")
        }
        let reader = CloudStackMetadataReader(base: base, client: client)
        var metadata = try await reader.read(sourceID: id, needs: needs)
        metadata.sourceLocation = base.absoluteString
        if needs.contains(.platformPassword),
            let url = CloudStackPasswordServer.url(
                router: router, port: ports.password, path: flavor.fixedAddress == nil ? "/" : "/\(flavor.version)/")
        {
            await askPassword(CloudStackPasswordServer(url: url, http: client), into: &metadata)
        }
        return metadata
    }

    /// The password server's answer into the metadata; a failure is recorded for the plugin,
    /// never fatal to the source (the keys and the rest still apply).
    private func askPassword(_ server: CloudStackPasswordServer, into metadata: inout InstanceMetadata) async {
        do {
            if case .password(let password) = try await server.fetch() {
                metadata.platformPassword = PlatformPassword(
                    secret: .clearText(password), origin: "the CloudStack password server",
                    acknowledgement: .cloudStackPasswordServer(server.url))
            }
        } catch {
            metadata.platformPasswordProblem = "the password server at \(server.url) could not be asked: \(error)"
        }
    }
}
