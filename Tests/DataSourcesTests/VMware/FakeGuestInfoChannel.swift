import DataSources
import Foundation

/// guestinfo keys in memory, recording every key asked for. Its "gzip" is a table of
/// compressed -> inflated bytes: the real inflation (zlib) is the Plugins layer's, tested
/// there and end to end with the built binary.
final class FakeGuestInfoChannel: GuestInfoChannel, @unchecked Sendable {
    let values: [String: String]
    let inflated: [Data: Data]
    let isAvailable: Bool
    private let lock = NSLock()
    private var asked: [String] = []
    /// A key whose read fails as a broken tool's does.
    let failing: Set<String>

    init(
        _ values: [String: String], inflated: [Data: Data] = [:], isAvailable: Bool = true, failing: Set<String> = []
    ) {
        self.values = values
        self.inflated = inflated
        self.isAvailable = isAvailable
        self.failing = failing
    }

    /// The keys read, in order.
    var keysAsked: [String] { lock.withLock { asked } }

    func value(of key: String) async throws -> String? {
        lock.withLock { asked.append(key) }
        if failing.contains(key) {
            throw DataSourceError.malformedDocument(
                location: "guestinfo.\(key)", reason: "vmware-rpctool exited with status 1")
        }
        return values[key]
    }

    func gunzip(_ data: Data, maxBytes: Int, location: String) throws -> Data {
        guard let output = inflated[data] else {
            throw DataSourceError.malformedDocument(location: location, reason: "not gzip")
        }
        return output
    }
}
