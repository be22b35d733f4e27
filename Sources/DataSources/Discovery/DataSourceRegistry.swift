import FoundationEssentials
import Logging

/// The one table of data source id -> factory. Unknown ids never get this far: the
/// configuration refuses them, naming the line.
public enum DataSourceRegistry {
    /// The one list of source ids, in the default order of `metadata_services` (less the
    /// opt-in ones, `isOptIn`).
    public enum SourceID: String, CaseIterable, Sendable {
        case configdrive, nocloud, openstack, ec2
        /// OpenNebula's context CD (local, found by its label).
        case opennebula
        /// Wakame-vdc's metadata drive (local, a vfat volume found by its label `METADATA`).
        case wakame
        /// CloudStack's virtual router, and Exoscale's: only on a DMI product name that says so.
        case cloudstack, exoscale
        /// Public clouds, each made only useful by its DMI signal: without it a source makes
        /// no request at all (so they can all be in the default list).
        case digitalocean, hetzner, gce, oracle, upcloud, vultr, akamai
        /// VMware's guestinfo, through the image's `vmware-rpctool` (local: no network).
        case vmware
        /// Scaleway: its metadata at 169.254.42.42, user data from a reserved source port.
        case scaleway
        /// Azure: IMDS at 169.254.169.254 and the provisioning media's ovf-env.xml, then the
        /// WireServer ready report; only on Azure's DMI chassis asset tag.
        case azure
        /// SlapOS KVM's web server at 10.0.2.100: opt-in (`isOptIn`).
        case slapos

        /// Sources asked only when `metadata_services` lists them, never by default: their
        /// platform gives the guest no signal to find it by (SlapOS: a private address that
        /// any network may use), so asking them everywhere would cost other clouds' boots.
        public var isOptIn: Bool { self == .slapos }
    }

    /// The default `metadata_services`: every source that is not opt-in, in table order.
    public static let defaultSourceIDs = SourceID.allCases.filter { !$0.isOptIn }

    /// The source ids as the configuration spells them.
    public static let knownIDs = SourceID.allCases.map(\.rawValue)

    /// Builds the configured sources, in order, with the platform hint's network source first.
    public static func makeSources(settings: DataSourceSettings, logger: Logger) -> [any DataSource] {
        let sources = configuredSources(settings: settings, logger: logger)
        guard let hint = PlatformHint.detect(root: settings.root) else { return sources }
        let reordered = hint.reorder(sources)
        if reordered.map(\.id) != sources.map(\.id) {
            logger.info(
                "trying the hinted source first",
                metadata: ["datasource": "\(hint.sourceID)", "reason": "\(hint.reason)"])
        }
        return reordered
    }

    static func configuredSources(settings: DataSourceSettings, logger: Logger) -> [any DataSource] {
        settings.sources.flatMap { id -> [any DataSource] in
            // A client per source: each has its own limit of requests in flight.
            let client = settings.httpClient(logger: logger)
            return switch id {
            case .configdrive:
                [
                    ConfigDriveSource(
                        locator: ConfigDriveLocator(root: settings.root, configuredPaths: settings.configDrivePaths))
                ]
            case .nocloud:
                // Local places in the local stage; a URL seed (only when the kernel command line
                // or the DMI serial names one) once the network is up.
                [NoCloudSource(root: settings.root, configuredPaths: settings.noCloudPaths)]
                    + (NoCloudURLSeedSource(root: settings.root, client: client).map { [$0] } ?? [])
            case .openstack:
                [OpenStackHTTPSource(baseURL: settings.openStackBaseURL, client: client, needs: settings.needs)]
            case .ec2:
                [
                    EC2MetadataSource(
                        baseURL: settings.ec2BaseURL, client: client,
                        tokenPutTimeout: min(1, settings.retryPolicy.requestTimeout), needs: settings.needs)
                ]
            case .opennebula:
                [OpenNebulaSource(root: settings.root)]
            case .wakame: [WakameSource(root: settings.root)]
            case .cloudstack:
                [CloudStackSource(root: settings.root, client: client, needs: settings.needs)]
            case .exoscale:
                [
                    CloudStackSource(
                        id: "exoscale", flavor: .exoscale, root: settings.root, client: client, needs: settings.needs)
                ]
            case .digitalocean: [DigitalOceanSource(root: settings.root, client: client)]
            case .hetzner: [HetznerSource(root: settings.root, client: client)]
            case .gce: [GCESource(root: settings.root, client: client)]
            case .oracle: [OracleSource(root: settings.root, client: client)]
            case .upcloud: [UpCloudSource(root: settings.root, client: client)]
            case .vultr: [VultrSource(root: settings.root, client: client)]
            case .akamai: [AkamaiSource(root: settings.root, client: client)]
            case .slapos: [SlapOSSource(client: client)]
            case .vmware: [VMwareSource(root: settings.root, channel: settings.guestInfo?.channel)]
            case .scaleway: [ScalewaySource(root: settings.root, client: client)]
            case .azure: [AzureSource(root: settings.root, client: client)]
            }
        }
    }
}
