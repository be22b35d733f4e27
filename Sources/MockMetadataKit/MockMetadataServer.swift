import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A nova + EC2 metadata server over real HTTP, for tests and demos. Serves a fixture
/// tree (see `FixtureTree`) with nova's and IMDS's semantics and injects faults.
public final class MockMetadataServer: @unchecked Sendable {
    public let configuration: MockServerConfiguration
    /// Password, tokens, faults and the request log; changeable while running.
    public let state: MockState
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    private var channel: (any Channel)?

    public init(configuration: MockServerConfiguration) {
        self.configuration = configuration
        self.state = MockState(configuration: configuration)
    }

    /// Binds and starts serving; returns the bound port (useful with port 0). Throws when
    /// the gzip-bomb body is needed and cannot be built.
    public func start() async throws -> Int {
        let router = MockRouter(fixtures: FixtureTree(root: configuration.fixtures), state: state)
        // Built once, before serving, rather than on the event loop at the first request.
        if !state.faults.gzipBomb.isEmpty { _ = try router.gzipBomb.body() }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(MockHTTPHandler(router: router))
                }
            }
        let bound = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        channel = bound
        return bound.localAddress?.port ?? configuration.port
    }

    /// Stops serving and releases the threads.
    public func shutdown() async throws {
        try await channel?.close()
        try await group.shutdownGracefully()
    }
}
