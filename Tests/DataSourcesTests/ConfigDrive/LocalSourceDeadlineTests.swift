import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

/// Issue 29: the discovery deadline holds for a local source too. A FIFO plays a drive whose
/// reads block (a dead CD-ROM, a hung device): opening it waits for a writer that comes only
/// when the test lets it (after `release` seconds, or at its end).
@Suite(.ownThread(.timesDeadlines)) struct LocalSourceDeadlineTests {
    /// A FIFO in `work` whose blocked readers are released after `release` seconds.
    final class BlockingDrive: @unchecked Sendable {
        let path: String

        init(in work: TemporaryDirectory, release: Double) throws {
            path = work.path + "/drive.fifo"
            guard mkfifo(path, 0o600) == 0 else { throw CocoaError(.fileWriteUnknown) }
            let path = path
            // A thread of its own: the blocked read may hold every thread of the pools.
            Thread.detachNewThread {
                Thread.sleep(forTimeInterval: release)
                Self.release(path)
            }
        }

        /// A writer that opens and closes at once: every reader blocked in open(2) goes on.
        static func release(_ path: String) {
            let fd = open(path, O_WRONLY | O_NONBLOCK)
            if fd >= 0 { close(fd) }
        }

        deinit { Self.release(path) }
    }

    @Test func aBlockedDriveReadIsCutOffByTheDiscoveryDeadlineAndNamed() async throws {
        let work = try TemporaryDirectory()
        let drive = try BlockingDrive(in: work, release: 8)
        let source = ConfigDriveSource(locator: ConfigDriveLocator(root: SystemRoot(""), configuredPaths: [drive.path]))
        let discovery = Discovery(sources: [source], deadline: 1, logger: LogCapture().logger())
        let start = Date()
        let result = await discovery.run()
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed < 3, "discovery took \(elapsed) s against a 1 s deadline")
        #expect(result.metadata == nil)
        let attempt = try #require(result.attempts.first)
        #expect(attempt.hasPrefix("configdrive: gave up when the discovery deadline of 1.0 s passed"), "\(attempt)")
        #expect(attempt.contains(drive.path), "the attempt names the drive: \(attempt)")
    }
}
