import Foundation

/// Turns an OpenStack metadata tree (HTTP or config drive) into `InstanceMetadata`.
///
/// Request budget over HTTP: the version listing, then meta_data.json, user_data,
/// network_data.json, vendor_data.json and vendor_data2.json fetched concurrently (6),
/// plus one per injected file.
struct OpenStackLoader {
    let tree: any OpenStackTree
    let limits: DocumentLimits
    let sourceID: String

    /// Loads everything; `passwordBase` builds the password endpoint for a version (HTTP only).
    func load(passwordEndpoint: (String) -> PasswordPublication) async throws -> InstanceMetadata {
        let listing = try await tree.versionListing(maxBytes: limits.jsonBytes)
        let version = listing.map(OpenStackVersions.choose(fromListing:)) ?? "latest"
        async let metaData = tree.read("\(version)/meta_data.json", maxBytes: limits.jsonBytes)
        async let userData = tree.read("\(version)/user_data", maxBytes: limits.userDataBytes)
        async let networkData = tree.read("\(version)/network_data.json", maxBytes: limits.jsonBytes)
        async let vendorData = tree.read("\(version)/vendor_data.json", maxBytes: limits.jsonBytes)
        async let vendorData2 = tree.read("\(version)/vendor_data2.json", maxBytes: limits.jsonBytes)

        let metaLocation = tree.location(of: "\(version)/meta_data.json")
        guard let metaBytes = try await metaData else {
            throw DataSourceError.missingField(location: tree.location(of: version), field: "meta_data.json")
        }
        let document = try OpenStackMetaDataDocument(data: metaBytes, location: metaLocation)
        let networkBytes = try await networkData
        if let networkBytes { try Self.requireJSON(networkBytes, location: tree.location(of: "\(version)/network_data.json")) }
        let network = networkBytes.map(OpenStackNetworkConverter.describe)
        let (files, refused) = try await loadFiles(document.files, metaLocation: metaLocation)

        return InstanceMetadata(
            sourceID: sourceID, instanceID: document.uuid, hostname: document.hostname, name: document.name,
            publicKeys: document.publicKeys, refusedKeys: document.refusedKeys, meta: document.meta,
            adminPassword: document.adminPass, files: files, refusedFiles: document.refusedFiles + refused, launchIndex: document.launchIndex,
            availabilityZone: document.availabilityZone, userData: try await userData, network: network,
            vendorData: try await vendorData, vendorData2: try await vendorData2,
            passwordPublication: OpenStackVersions.hasPasswordEndpoint(version) ? passwordEndpoint(version) : .none
        )
    }

    /// Reads each `files` entry; hostile ones are refused (named, nothing read for them).
    private func loadFiles(_ entries: [(path: String, contentPath: String)], metaLocation: String) async throws
        -> ([InjectedFile], [RefusedFile]) {
        var files: [InjectedFile] = []
        var refused: [RefusedFile] = []
        for entry in entries {
            if let reason = InjectedFilePolicy.validateGuestPath(entry.path) {
                refused.append(RefusedFile(path: entry.path, reason: reason))
                continue
            }
            guard let treePath = InjectedFilePolicy.contentTreePath(entry.contentPath) else {
                refused.append(RefusedFile(path: entry.path, reason: "content_path '\(entry.contentPath)' is not a file under openstack/content/"))
                continue
            }
            guard let contents = try await tree.read(treePath, maxBytes: limits.injectedFileBytes) else {
                refused.append(RefusedFile(path: entry.path, reason: "\(tree.location(of: treePath)) does not exist"))
                continue
            }
            files.append(InjectedFile(path: entry.path, contents: contents))
        }
        return (files, refused)
    }

    static func requireJSON(_ data: Data, location: String) throws {
        do {
            _ = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw DataSourceError.malformedDocument(location: location, reason: "not valid JSON")
        }
    }
}
