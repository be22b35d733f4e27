import FoundationEssentials

/// Everything the plugins need to know about this instance, normalized from whichever
/// source answered (OpenStack HTTP, EC2 IMDS or a config drive).
///
/// One immutable value per run: data sources build it, plugins only read it, and tests
/// can build one directly with no server. Absent data is `nil` or empty, never a guess.
public struct InstanceMetadata: Sendable, Equatable {
    /// Id of the source that produced this value (`openstack`, `ec2`, `configdrive`).
    public var sourceID: String
    /// Where the source read it, when it has a choice of places (the NoCloud seed directory,
    /// drive or URL; the config drive's device): shown by `query`, nil otherwise.
    public var sourceLocation: String?
    /// Stable instance identity (nova `uuid`, EC2 `instance-id`): the key of per-instance state.
    public var instanceID: String
    /// Host name as the cloud gave it (may be an FQDN, may be hostile: plugins validate).
    public var hostname: String?
    /// Display name (free text, unsanitised).
    public var name: String?
    /// SSH public keys in the order the source lists them (name, key line).
    public var publicKeys: [PublicKeyEntry]
    /// Key entries the source could not use, each named by position (`keys[1] is not ...`).
    public var refusedKeys: [String]
    /// Free user metadata (nova `meta`): `admin_username`, `admin_pass`, ...
    public var meta: [String: String]
    /// Clear-text admin password given at boot (config drive `admin_pass` only). Secret.
    public var adminPassword: String?
    /// A password the platform gives for the admin user through its own channel (OpenNebula
    /// context, CloudStack password server): set, never published. Secret.
    public var platformPassword: PlatformPassword?
    /// Why the platform's password channel could not be read (the CloudStack password server
    /// did not answer, or answered `bad_request`): the source still loads, and only the
    /// plugin that sets platform passwords fails, naming it. Never holds a password.
    public var platformPasswordProblem: String?
    /// Injected ("personality") files, already read and checked by the source.
    public var files: [InjectedFile]
    /// Injected files the source refused (traversal, bad content path): never written.
    public var refusedFiles: [RefusedFile]
    public var launchIndex: Int?
    public var availabilityZone: String?
    /// The user data document (may be a script, cloud-config, MIME, gzip): unreadable
    /// when the source offered one it could not read (too large, a server error).
    public var userDataDocument: OptionalDocument
    /// The network as the source described it (OpenStack `network_data.json`, EC2
    /// interfaces), converted and validated; nil when the source says nothing about it.
    public var network: NetworkDescription?
    /// `vendor_data.json` / `vendor_data2.json`, as read.
    public var vendorDataDocument: OptionalDocument
    public var vendorData2Document: OptionalDocument
    /// Vendor data in user data's own formats (NoCloud's `vendor-data`): the userdata plugin
    /// runs it before the user data, which overrides its cloud-config keys (as in cloud-init).
    public var vendorUserDataDocument: OptionalDocument = .absent
    /// EC2 network facts (primary MAC, interfaces), nil elsewhere.
    public var ec2Network: EC2NetworkInfo?
    /// Where an encrypted admin password can be published, if anywhere.
    public var passwordPublication: PasswordPublication
    /// What nova's password endpoint held when the documents were read, read beside them
    /// (`MetadataNeeds.passwordState`): "" for nothing stored; nil when not read (another
    /// source, not needed, or the GET failed: the password plugin then asks itself).
    public var passwordEndpointValue: String?
    /// What to tell the platform once the instance is configured (Scaleway's boot check-in).
    public var bootCheckIn: BootCheckIn?
    /// Azure's WireServer ready report, sent like `bootCheckIn` once the network stage's
    /// plugins have run (a goal state GET, then a health POST, retried within a bound).
    public var readyReport: WireServerReadyReport?
    /// A script to run as root at every boot after the other plugins (GCE's `startup-script`).
    public var startupScript: StartupScript?

    public init(
        sourceID: String, instanceID: String, hostname: String? = nil, name: String? = nil,
        publicKeys: [PublicKeyEntry] = [], refusedKeys: [String] = [], meta: [String: String] = [:],
        adminPassword: String? = nil,
        files: [InjectedFile] = [], refusedFiles: [RefusedFile] = [], launchIndex: Int? = nil,
        availabilityZone: String? = nil,
        userData: Data? = nil, network: NetworkDescription? = nil, vendorData: Data? = nil, vendorData2: Data? = nil,
        ec2Network: EC2NetworkInfo? = nil, passwordPublication: PasswordPublication = .none
    ) {
        self.sourceID = sourceID
        self.instanceID = instanceID
        self.hostname = hostname
        self.name = name
        self.publicKeys = publicKeys
        self.refusedKeys = refusedKeys
        self.meta = meta
        self.adminPassword = adminPassword
        self.files = files
        self.refusedFiles = refusedFiles
        self.launchIndex = launchIndex
        self.availabilityZone = availabilityZone
        self.userDataDocument = OptionalDocument(userData)
        self.network = network
        self.vendorDataDocument = OptionalDocument(vendorData)
        self.vendorData2Document = OptionalDocument(vendorData2)
        self.ec2Network = ec2Network
        self.passwordPublication = passwordPublication
    }

    /// The admin user name the cloud asked for (`meta.admin_username`), if any.
    public var adminUsername: String? { meta["admin_username"] }

    /// Raw user data bytes, nil when absent or unreadable (`userDataDocument` says which).
    public var userData: Data? {
        get { userDataDocument.data }
        set { userDataDocument = OptionalDocument(newValue) }
    }

    /// Raw vendor data in user data's formats, nil when absent or unreadable.
    public var vendorUserData: Data? {
        get { vendorUserDataDocument.data }
        set { vendorUserDataDocument = OptionalDocument(newValue) }
    }

    /// Raw `vendor_data.json`, nil when absent or unreadable.
    public var vendorData: Data? {
        get { vendorDataDocument.data }
        set { vendorDataDocument = OptionalDocument(newValue) }
    }

    /// Raw `vendor_data2.json`, nil when absent or unreadable.
    public var vendorData2: Data? {
        get { vendorData2Document.data }
        set { vendorData2Document = OptionalDocument(newValue) }
    }

    /// The optional documents the source could not read, each naming itself and why.
    public var unreadableDocuments: [DocumentReadError] {
        [userDataDocument, vendorDataDocument, vendorData2Document, vendorUserDataDocument].compactMap {
            if case .unreadable(let failure) = $0 { failure } else { nil }
        }
    }
}

/// One SSH public key as listed by the source.
public struct PublicKeyEntry: Sendable, Equatable {
    public var name: String
    /// The key line, trailing whitespace stripped (`ssh-rsa AAAA... comment`).
    public var line: String
    public init(name: String, line: String) {
        self.name = name
        self.line = line.trimmingWhitespaceAndNewlines()
    }
}

/// A file the cloud asked to place in the guest; `path` is absolute and traversal-free
/// (checked by the source, checked again by the plugin that writes it).
public struct InjectedFile: Sendable, Equatable {
    public var path: String
    public var contents: Data
    public init(path: String, contents: Data) {
        self.path = path
        self.contents = contents
    }
}

/// A `files` entry that was refused, and why.
public struct RefusedFile: Sendable, Equatable {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

/// EC2 network facts needed for network configuration.
public struct EC2NetworkInfo: Sendable, Equatable {
    public var primaryMAC: String?
    public var localIPv4: String?
    public var interfaces: [EC2Interface]
    public init(primaryMAC: String?, localIPv4: String?, interfaces: [EC2Interface]) {
        self.primaryMAC = primaryMAC
        self.localIPv4 = localIPv4
        self.interfaces = interfaces
    }
}

public struct EC2Interface: Sendable, Equatable {
    public var mac: String
    public var deviceNumber: Int?
    public var localIPv4s: [String]
    public var subnetIPv4CIDR: String?
    public var ipv6s: [String]
    public var subnetIPv6CIDRs: [String]
    public init(
        mac: String, deviceNumber: Int?, localIPv4s: [String], subnetIPv4CIDR: String?,
        ipv6s: [String] = [], subnetIPv6CIDRs: [String] = []
    ) {
        self.mac = mac
        self.deviceNumber = deviceNumber
        self.localIPv4s = localIPv4s
        self.subnetIPv4CIDR = subnetIPv4CIDR
        self.ipv6s = ipv6s
        self.subnetIPv6CIDRs = subnetIPv6CIDRs
    }
}

/// How the password plugin may publish an encrypted password for this instance.
public enum PasswordPublication: Sendable, Equatable {
    /// Nowhere (config drive: read-only; nothing to POST to).
    case none
    /// nova's `/openstack/<version>/password` endpoint (GET to read, POST once to set).
    case novaPasswordEndpoint(URL)
    /// EC2: no POST endpoint; print `<Password>base64</Password>` on the console.
    case ec2Console
    /// Wakame-vdc: the raw ciphertext (RSA-OAEP with SHA-1) as `meta-data/pw.enc` on the
    /// METADATA drive at this guest path, read by the host after the guest powers off.
    case wakameDrive(device: String)
}
