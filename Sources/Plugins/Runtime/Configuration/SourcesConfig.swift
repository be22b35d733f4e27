import AgentBase
import DataSources
import FoundationEssentials

/// Where discovery looks for metadata and how patiently it asks (the data sources' settings).
/// Defaults are the initial values below, declared once: agent.conf.sample shows them.
public struct SourcesConfig: SettingsGroup {
    /// `metadata_services`
    public var metadataServices: [DataSourceRegistry.SourceID] = DataSourceRegistry.defaultSourceIDs
    /// `metadata_base_url`
    public var metadataBaseURL: URL = URL(string: "http://169.254.169.254/")!
    /// `ec2_metadata_base_url`
    public var ec2MetadataBaseURL: URL = URL(string: "http://169.254.169.254/")!
    /// `configdrive_paths`
    public var configdrivePaths: [String] = []
    /// `nocloud_paths`
    public var nocloudPaths: [String] = []
    /// `retry_count`
    public var retryCount: Int = 3
    /// `retry_count_interval`
    public var retryCountInterval: Double = 0.5
    /// `request_timeout`
    public var requestTimeout: Double = 2
    /// `request_total_timeout`
    public var requestTotalTimeout: Double = 10
    /// `discovery_timeout`
    public var discoveryTimeout: Double = 20
    /// `local_stage_dhcp`
    public var localStageDHCP: LocalStageDHCP = .auto

    /// When the local stage, finding no local source, reads nova or EC2 over a short-lived
    /// DHCP lease (`LocalStageLease`).
    public enum LocalStageDHCP: String, CaseIterable, Sendable {
        /// Only where DMI names OpenStack or Amazon EC2, as cloud-init's OpenStackLocal and
        /// Ec2Local decide: elsewhere nothing answers at 169.254.169.254, and waiting for it
        /// before the network starts would hold the boot.
        case auto
        case always
        case never
    }

    public init() {}

    static let title = "Finding the metadata"
    static let keys: [SettingKey<Self>] = [
        SettingKey(
            name: "metadata_services",
            help:
                "Metadata sources to try, in order: configdrive, nocloud, openstack, ec2, opennebula, wakame, and the clouds tried only where their DMI strings say so: cloudstack, exoscale, digitalocean, hetzner, gce, oracle, upcloud, vultr, akamai, vmware (guestinfo through the image's vmware-rpctool or vmtoolsd), scaleway, azure (with its WireServer ready report). Opt-in only, never tried unless listed: slapos (SlapOS KVM's server at 10.0.2.100).",
            show: { ConfigSchema.show($0.metadataServices.map(\.rawValue)) },
            apply: {
                $0.metadataServices = try ConfigSchema.ids($1, known: DataSourceRegistry.knownIDs).compactMap(
                    DataSourceRegistry.SourceID.init(rawValue:))
            }
        ),
        SettingKey(
            name: "metadata_base_url",
            help: "Base URL of the OpenStack metadata HTTP API.",
            show: { $0.metadataBaseURL.absoluteString },
            apply: { $0.metadataBaseURL = try ConfigSchema.url($1) }
        ),
        SettingKey(
            name: "ec2_metadata_base_url",
            help: "Base URL of the EC2 instance metadata service.",
            show: { $0.ec2MetadataBaseURL.absoluteString },
            apply: { $0.ec2MetadataBaseURL = try ConfigSchema.url($1) }
        ),
        SettingKey(
            name: "configdrive_paths",
            help: "Extra config drive candidates: block devices, image files or directories.",
            show: { ConfigSchema.show($0.configdrivePaths) },
            apply: { $0.configdrivePaths = try ConfigSchema.guestPaths($1) }
        ),
        SettingKey(
            name: "nocloud_paths",
            help:
                "Extra NoCloud seed candidates: block devices, image files or directories (a missing one is skipped).",
            show: { ConfigSchema.show($0.nocloudPaths) },
            apply: { $0.nocloudPaths = try ConfigSchema.guestPaths($1) }
        ),
        SettingKey(
            name: "retry_count",
            help: "Retries per metadata request after the first attempt (5xx, timeouts, refused).",
            show: { String($0.retryCount) },
            apply: { $0.retryCount = try ConfigSchema.integer($1, in: 0...20) }
        ),
        SettingKey(
            name: "retry_count_interval",
            help:
                "Longest first wait between retries in seconds (each wait is random up to it); doubles each retry, capped at 4 s.",
            show: { ConfigSchema.show($0.retryCountInterval) },
            apply: { $0.retryCountInterval = try ConfigSchema.seconds($1, in: 0...60) }
        ),
        SettingKey(
            name: "request_timeout",
            help: "Seconds without an answer before one metadata request is abandoned.",
            show: { ConfigSchema.show($0.requestTimeout) },
            apply: { $0.requestTimeout = try ConfigSchema.seconds($1, in: 0.1...120) }
        ),
        SettingKey(
            name: "request_total_timeout",
            help: "The most one metadata request may take, retries included, however slowly the server answers.",
            show: { ConfigSchema.show($0.requestTotalTimeout) },
            apply: { $0.requestTotalTimeout = try ConfigSchema.seconds($1, in: 0.5...3600) }
        ),
        SettingKey(
            name: "discovery_timeout",
            help: "Overall deadline in seconds for finding a metadata source (then exit 2).",
            show: { ConfigSchema.show($0.discoveryTimeout) },
            apply: { $0.discoveryTimeout = try ConfigSchema.seconds($1, in: 0.1...3600) }
        ),
        SettingKey(
            name: "local_stage_dhcp",
            help:
                "With no config drive or other local source, the local stage reads openstack or ec2 at 169.254.169.254 over a short-lived DHCP lease, so the network is written before it starts: auto (only where DMI names OpenStack or Amazon EC2), always, never.",
            show: { $0.localStageDHCP.rawValue },
            apply: { $0.localStageDHCP = try ConfigSchema.choice($1) }
        ),
    ]
}
