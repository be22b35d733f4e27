import FoundationEssentials

/// A document of the metadata that an instance can do without (user data, vendor data):
/// there, not there, or there but not readable.
///
/// Why not throw from the source: a user data over the size cap, or a vendor data the
/// server fails to send, once made the whole source fail ("no metadata source", exit 2):
/// no host name, no keys, an unreachable instance. Now the source loads, and only the
/// plugin that needs the document fails, naming it and why (issue 29).
public enum OptionalDocument: Sendable, Equatable {
    case absent
    case present(Data)
    /// Offered but unusable: too large, a read or server error. Plugins needing it fail with it.
    case unreadable(DocumentReadError)

    /// The bytes when present.
    public var data: Data? {
        if case .present(let data) = self { data } else { nil }
    }

    /// `.present` for bytes, `.absent` for nil.
    public init(_ data: Data?) {
        self = data.map { .present($0) } ?? .absent
    }

    /// Reads an optional document: nil is `.absent`, an error `.unreadable` naming
    /// `document`. Cancellation (the discovery deadline) is rethrown, never a document's
    /// failure: a source that ran out of time has not loaded. So is "no route": the network
    /// was not up yet when the documents were asked for together, and discovery loads the
    /// source again once it is (booted for real: `meta_data.json` answered on a retry while
    /// `user_data` had spent its retries, and the user data was lost for the instance).
    static func read(_ document: String, _ read: () async throws -> Data?) async throws -> OptionalDocument {
        do {
            return OptionalDocument(try await read())
        } catch let error where Task.isCancelled || error is CancellationError {
            throw error
        } catch DataSourceError.networkUnreachable(let url) {
            throw DataSourceError.networkUnreachable(url: url)
        } catch {
            return .unreadable(DocumentReadError(document: document, reason: "\(error)"))
        }
    }
}

/// Why an optional document could not be read: which document, and the error that says where.
public struct DocumentReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `user data`, `vendor_data.json`...
    public var document: String
    public var reason: String

    public init(document: String, reason: String) {
        self.document = document
        self.reason = reason
    }

    public var description: String { "\(document) could not be read: \(reason)" }
}
