import AgentBase
import FoundationEssentials

/// Microsoft Azure (docs/PROTOCOLS.md, Azure): read only when DMI `chassis_asset_tag` is
/// Azure's; then the provisioning media's `ovf-env.xml` where present (`AzureProvisioningMedia`)
/// and IMDS's `GET /metadata/instance?api-version=2021-08-01&extended=true` with `Metadata:
/// true`; the instance then carries the WireServer ready report (`WireServerReadyReport`),
/// which the run sends after the network stage's plugins.
public struct AzureSource: DataSource {
    public let id = "azure"
    public let isLocal = false
    public let root: SystemRoot
    public let imdsBaseURL: URL
    public let readyReport: WireServerReadyReport
    public let limits: DocumentLimits
    let reader: CloudDocumentReader

    /// cloud-init's `ChassisAssetTag.AZURE_CLOUD` (helpers/azure.py), its `ds_detect`.
    public static let signals = [DMISignal("chassis_asset_tag", .equals("7783-7084-3265-9085-8269-3286-77"))]
    public static let defaultIMDSBaseURL = URL(string: "http://169.254.169.254/metadata/")!
    /// IMDS answers 400 to a request without it: the header proves the request was meant for
    /// IMDS, not forwarded there by a confused proxy (cloud-init's `get_metadata_from_imds`).
    public static let headers = ["Metadata": "true"]
    /// cloud-init 22.4.2's `IMDS_VER_WANT`, with `extended=true` as it asks for every version
    /// since 2021-03-01; `IMDS_VER_MIN` when IMDS answers 400 to it (an older IMDS).
    static let wantedVersion = "2021-08-01"
    static let fallbackVersion = "2019-06-01"

    public init(
        root: SystemRoot, client: MetadataHTTPClient, imdsBaseURL: URL = defaultIMDSBaseURL,
        readyReport: WireServerReadyReport = WireServerReadyReport(), limits: DocumentLimits = .standard
    ) {
        self.root = root
        self.imdsBaseURL = imdsBaseURL
        self.readyReport = readyReport
        self.limits = limits
        self.reader = CloudDocumentReader(client: client, headers: Self.headers)
    }

    /// Nil, with no request and no device read at all, when DMI does not say Azure; else the
    /// instance with its ready report. IMDS failing is an error unless the provisioning media
    /// gave the instance (cloud-init: "No OVF or IMDS available"); a broken `ovf-env.xml` is
    /// an error naming it. The instance id is IMDS's `vmId`, else (media only) the DMI
    /// `product_uuid` in lower case, the system UUID cloud-init's `_iid` keys Azure on.
    public func load() async throws -> InstanceMetadata? {
        guard DMISignal.first(of: Self.signals, under: root) != nil else { return nil }
        let media = try await AzureProvisioningMedia(root: root, maxBytes: limits.jsonBytes + limits.userDataBytes * 2)
            .read()
        let imds: AzureInstanceDocument?
        do {
            imds = try await instanceDocument()
        } catch let error as DataSourceError where media != nil && !error.isNetworkUnreachable {
            // The media describes the instance; "no route yet" is still thrown, so that
            // discovery asks again once the network is up instead of losing IMDS's keys.
            imds = nil
        }
        guard let instanceID = imds?.vmID ?? DMISignal.read("product_uuid", under: root)?.lowercased() else {
            throw DataSourceError.missingField(
                location: instanceURL(Self.wantedVersion).absoluteString, field: "compute.vmId")
        }
        let ovf = media?.environment
        var metadata = InstanceMetadata(
            sourceID: id, instanceID: instanceID, hostname: imds?.hostname ?? ovf?.hostname,
            // cloud-init's get_public_ssh_keys: IMDS's keys, else the provisioning media's.
            publicKeys: (imds?.publicKeys).flatMap { $0.isEmpty ? nil : $0 } ?? ovf?.publicKeys ?? [],
            refusedKeys: (imds?.refusedKeys ?? []) + (ovf?.refusedKeys ?? []),
            availabilityZone: imds?.zone ?? imds?.location, network: imds?.network)
        metadata.sourceLocation = media?.location
        if let user = imds?.adminUsername ?? ovf?.username, user != "root" { metadata.meta["admin_username"] = user }
        // cloud-init: the media's CustomData wins; IMDS's userData only when there is none.
        if let custom = ovf?.customData {
            metadata.userData = custom
        } else if let problem = imds?.userDataProblem {
            metadata.userDataDocument = .unreadable(DocumentReadError(document: "user data", reason: problem))
        } else {
            metadata.userData = imds?.userData
        }
        // cloud-init's `read_azure_ovf` puts `ssh_pwauth` in the datasource's configuration,
        // below the user's cloud-config: vendor data in user data's formats has that place.
        if let enabled = ovf?.sshPasswordAuthentication {
            metadata.vendorUserData = Data("#cloud-config\nssh_pwauth: \(enabled)\n".utf8)
        }
        if let password = ovf?.password {
            metadata.platformPassword = PlatformPassword(
                secret: .clearText(password), origin: "Azure ovf-env.xml UserPassword")
        }
        metadata.readyReport = readyReport
        return metadata
    }

    func instanceURL(_ version: String) -> URL {
        let extended = version == Self.wantedVersion ? "&extended=true" : ""
        return URL(string: imdsBaseURL.absoluteString + "instance?api-version=\(version)\(extended)")!
    }

    /// IMDS's instance document at the wanted version, at the older one after a 400.
    func instanceDocument() async throws -> AzureInstanceDocument {
        let wanted = instanceURL(Self.wantedVersion)
        do {
            return try AzureInstanceDocument(
                try await reader.jsonObject(wanted, maxBytes: limits.jsonBytes + limits.userDataBytes * 2),
                location: wanted.absoluteString)
        } catch DataSourceError.httpStatus(_, 400) {
            let fallback = instanceURL(Self.fallbackVersion)
            return try AzureInstanceDocument(
                try await reader.jsonObject(fallback, maxBytes: limits.jsonBytes + limits.userDataBytes * 2),
                location: fallback.absoluteString)
        }
    }
}
