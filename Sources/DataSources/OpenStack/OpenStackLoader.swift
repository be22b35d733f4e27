import AgentBase
import FoundationEssentials

/// Turns an OpenStack metadata tree (HTTP or config drive) into `InstanceMetadata`.
///
/// Request budget over HTTP (docs/PROTOCOLS.md §1.2): `latest/meta_data.json` and the other
/// needed documents concurrently (one round trip); only when `latest` has no
/// `meta_data.json` the version listing and the documents of the chosen version (two more);
/// then the injected files and, without `network_data.json`, the ENI text `network_config`
/// points at, concurrently (one more).
///
/// Only `meta_data.json` is required. User data, vendor data and network data are optional:
/// one that cannot be read (too large, a server error, not JSON) is recorded as such
/// (`OptionalDocument.unreadable`, `NetworkDescription.invalid`) and fails only the plugin
/// that needs it, never the source (issue 29).
struct OpenStackLoader {
    let tree: any OpenStackTree
    let limits: DocumentLimits
    let sourceID: String
    var needs: MetadataNeeds = .all

    /// The documents of one version, fetched together.
    private struct Documents {
        var metaData: Data?
        var userData: OptionalDocument
        var networkData: OptionalDocument
        var vendorData: OptionalDocument
        var vendorData2: OptionalDocument
        var passwordEndpointValue: String?
    }

    /// Loads what `needs` asks for; `passwordEndpoint` builds the password endpoint for a
    /// version (HTTP only) and `readPassword`, when given, reads what that endpoint holds,
    /// concurrently with the documents (nil when the read failed).
    func load(
        passwordEndpoint: (String) -> PasswordPublication,
        readPassword: (@Sendable (String) async -> String?)? = nil
    ) async throws -> InstanceMetadata {
        var version = "latest"
        var documents = try await fetch(version, readPassword: readPassword)
        if documents.metaData == nil, let listing = try await tree.versionListing(maxBytes: limits.jsonBytes) {
            let chosen = OpenStackVersions.choose(fromListing: listing)
            if chosen != version {
                version = chosen
                documents = try await fetch(version, readPassword: readPassword)
            }
        }
        let metaLocation = tree.location(of: "\(version)/meta_data.json")
        guard let metaBytes = documents.metaData else {
            throw DataSourceError.missingField(location: tree.location(of: version), field: "meta_data.json")
        }
        let document = try OpenStackMetaDataDocument(data: metaBytes, location: metaLocation)
        // network_data.json wins; without it, meta_data.json's `network_config` may point at
        // ENI text (Proxmox's configdrive2), read concurrently with the injected files.
        let eniPointer = documents.networkData == .absent && needs.contains(.network) ? document.networkConfig : nil
        async let eni = loadENI(eniPointer)
        let (files, refused) =
            needs.contains(.injectedFiles)
            ? try await loadFiles(document.files, metaLocation: metaLocation) : ([], [])
        let network: NetworkDescription? =
            switch documents.networkData {
            case .absent: try await eni
            case .present(let data): OpenStackNetworkConverter.describe(data)
            case .unreadable(let failure): .invalid(NetworkConfigError("network_data.json", field: "", failure.reason))
            }

        var metadata = InstanceMetadata(
            sourceID: sourceID, instanceID: document.uuid, hostname: document.hostname, name: document.name,
            publicKeys: document.publicKeys, refusedKeys: document.refusedKeys, meta: document.meta,
            adminPassword: document.adminPass, files: files, refusedFiles: document.refusedFiles + refused,
            launchIndex: document.launchIndex, availabilityZone: document.availabilityZone, network: network,
            passwordPublication: OpenStackVersions.hasPasswordEndpoint(version) ? passwordEndpoint(version) : .none
        )
        metadata.userDataDocument = documents.userData
        metadata.vendorDataDocument = documents.vendorData
        metadata.vendorData2Document = documents.vendorData2
        metadata.passwordEndpointValue = documents.passwordEndpointValue
        return metadata
    }

    /// `meta_data.json` and the needed documents of `version`, concurrently (with what the
    /// password endpoint holds, when it is needed and `readPassword` is given).
    private func fetch(_ version: String, readPassword: (@Sendable (String) async -> String?)?) async throws
        -> Documents
    {
        let tree = tree
        func optional(_ name: String, _ need: MetadataNeeds, maxBytes: Int, called document: String) async throws
            -> OptionalDocument
        {
            guard needs.contains(need) else { return .absent }
            return try await OptionalDocument.read(document) {
                try await tree.read("\(version)/\(name)", maxBytes: maxBytes)
            }
        }
        let readsPassword = needs.contains(.passwordState) && OpenStackVersions.hasPasswordEndpoint(version)
        async let password: String? = readsPassword ? readPassword?(version) : nil
        async let metaData = tree.read("\(version)/meta_data.json", maxBytes: limits.jsonBytes)
        async let userData = optional("user_data", .userData, maxBytes: limits.userDataBytes, called: "user data")
        async let networkData = optional(
            "network_data.json", .network, maxBytes: limits.jsonBytes, called: "network_data.json")
        async let vendorData = optional(
            "vendor_data.json", .vendorData, maxBytes: limits.jsonBytes, called: "vendor_data.json")
        async let vendorData2 = optional(
            "vendor_data2.json", .vendorData, maxBytes: limits.jsonBytes, called: "vendor_data2.json")
        return Documents(
            metaData: try await metaData, userData: try await userData, networkData: try await networkData,
            vendorData: try await vendorData, vendorData2: try await vendorData2,
            passwordEndpointValue: await password)
    }

    /// Reads each `files` entry, concurrently and in the listed order; hostile ones are
    /// refused (named, nothing read for them).
    private func loadFiles(_ entries: [(path: String, contentPath: String)], metaLocation: String) async throws
        -> ([InjectedFile], [RefusedFile])
    {
        let outcomes = try await withThrowingTaskGroup(of: (Int, FileOutcome).self) { group in
            for (index, entry) in entries.enumerated() {
                group.addTask { (index, try await loadFile(path: entry.path, contentPath: entry.contentPath)) }
            }
            var outcomes: [(Int, FileOutcome)] = []
            for try await outcome in group { outcomes.append(outcome) }
            return outcomes.sorted { $0.0 < $1.0 }.map(\.1)
        }
        var files: [InjectedFile] = []
        var refused: [RefusedFile] = []
        for outcome in outcomes {
            switch outcome {
            case .read(let file): files.append(file)
            case .refused(let refusal): refused.append(refusal)
            }
        }
        return (files, refused)
    }

    /// The ENI text `network_config.content_path` names, converted (nil: no pointer, or
    /// only the loopback). Read like an injected file: one file directly under
    /// `openstack/content/`, at most `injectedFileBytes`. A pointer that escapes, names no
    /// file or cannot be read makes the network `.invalid` (only the network plugin fails).
    private func loadENI(_ pointer: OpenStackMetaDataDocument.NetworkConfigPointer?) async throws
        -> NetworkDescription?
    {
        let field = "network_config.content_path"
        let contentPath: String
        switch pointer {
        case nil: return nil
        case .malformed?:
            return .invalid(
                NetworkConfigError(
                    "meta_data.json", field: "network_config", "not an object with a string content_path"))
        case .contentPath(let path)?: contentPath = path
        }
        guard let treePath = InjectedFilePolicy.contentTreePath(contentPath) else {
            return .invalid(
                NetworkConfigError(
                    "meta_data.json", field: field,
                    "'\(NetworkText.preview(contentPath))' is not a file under openstack/content/"))
        }
        let tree = tree
        let maxBytes = limits.injectedFileBytes
        switch try await OptionalDocument.read("network_config") { try await tree.read(treePath, maxBytes: maxBytes) } {
        case .absent:
            return .invalid(
                NetworkConfigError("meta_data.json", field: field, "\(tree.location(of: treePath)) does not exist"))
        case .unreadable(let failure):
            return .invalid(NetworkConfigError(tree.location(of: treePath), field: "", failure.reason))
        case .present(let data):
            guard let text = String(validating: data, as: UTF8.self) else {
                return .invalid(NetworkConfigError(tree.location(of: treePath), field: "", "not UTF-8 text"))
            }
            return NetworkDescription.fromENI(text)
        }
    }

    private enum FileOutcome: Sendable {
        case read(InjectedFile)
        case refused(RefusedFile)
    }

    private func loadFile(path: String, contentPath: String) async throws -> FileOutcome {
        if let reason = InjectedFilePolicy.validateGuestPath(path) {
            return .refused(RefusedFile(path: path, reason: reason))
        }
        guard let treePath = InjectedFilePolicy.contentTreePath(contentPath) else {
            return .refused(
                RefusedFile(path: path, reason: "content_path '\(contentPath)' is not a file under openstack/content/"))
        }
        guard let contents = try await tree.read(treePath, maxBytes: limits.injectedFileBytes) else {
            return .refused(RefusedFile(path: path, reason: "\(tree.location(of: treePath)) does not exist"))
        }
        return .read(InjectedFile(path: path, contents: contents))
    }

    static func requireJSON(_ data: Data, location: String) throws {
        do {
            _ = try JSONValue.parse(data)
        } catch {
            throw DataSourceError.malformedDocument(location: location, reason: "not valid JSON")
        }
    }
}
