import DataSources
import Foundation

/// An `HTTPTransport` that counts round trips: it holds every request until the client
/// has sent all it can without another answer, then answers that whole batch at once. Each
/// batch is one round trip; no timing is measured or asserted (a batch is closed when the
/// number of held requests has stopped changing, so a slow machine only waits longer).
///
/// Answers come from `tree` (path below the base URL, trailing `/` kept, to body); any
/// other path is 404. The token PUT is answered with a token.
actor RoundTripTransport: HTTPTransport {
    let base: String
    let tree: [String: String]
    /// The paths of each round, in order.
    private(set) var rounds: [[String]] = []
    private var held: [(path: String, reply: HTTPReply, resume: CheckedContinuation<HTTPReply, Never>)] = []

    init(base: URL, tree: [String: String]) {
        self.base = base.absoluteString.hasSuffix("/") ? base.absoluteString : base.absoluteString + "/"
        self.tree = tree
    }

    func send(_ request: HTTPRequestSpec, limits: TransferLimits) async throws -> HTTPReply {
        let path = String(request.url.absoluteString.dropFirst(base.count))
        let reply: HTTPReply
        if request.method == "PUT" && path == "latest/api/token" {
            reply = HTTPReply(status: 200, body: Data("test-token".utf8))
        } else if let body = tree[path] {
            // As the real transports: a body past the cap is an error, never returned.
            guard body.utf8.count <= limits.maxBytes else {
                throw DataSourceError.documentTooLarge(location: request.url.absoluteString, limit: limits.maxBytes)
            }
            reply = HTTPReply(status: 200, body: Data(body.utf8))
        } else {
            reply = HTTPReply(status: 404, body: Data())
        }
        return await withCheckedContinuation { held.append((request.method + " " + path, reply, $0)) }
    }

    var heldCount: Int { held.count }

    /// Answers every held request as one round.
    func answerRound() {
        let batch = held
        held.removeAll()
        rounds.append(batch.map(\.path).sorted())
        for request in batch { request.resume.resume(returning: request.reply) }
    }

    /// Runs `body` (which sends through this transport), answering a round each time the
    /// held requests stop growing, until `body` returns.
    static func run<T: Sendable>(
        _ transport: RoundTripTransport, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let task = Task { try await body() }
        let finished = Flag()
        Task {
            _ = try? await task.value
            await finished.set()
        }
        var last = -1
        var stableFor = 0
        while await !finished.value {
            try await Task.sleep(nanoseconds: 20_000_000)
            let count = await transport.heldCount
            stableFor = count == last ? stableFor + 1 : 0
            last = count
            if count > 0 && stableFor >= 5 {
                await transport.answerRound()
                last = -1
                stableFor = 0
            }
        }
        return try await task.value
    }

    actor Flag {
        private(set) var value = false
        func set() { value = true }
    }
}
