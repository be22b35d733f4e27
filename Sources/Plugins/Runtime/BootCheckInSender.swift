import DataSources
import FoundationEssentials
import Logging

/// Sends the instance's boot check-in (`InstanceMetadata.bootCheckIn`) once the network
/// stage's plugins have run, with the client's timeouts and retries. Its failure is logged,
/// never the run's: the instance is configured either way, and the platform only shows a
/// state (afterburn's check-in is a unit of its own, whose failure fails nothing else).
enum BootCheckInSender {
    /// Sends `checkIn` unless `dryRun`; true when the platform answered 2xx.
    @discardableResult
    static func send(_ checkIn: BootCheckIn?, client: MetadataHTTPClient, dryRun: Bool, logger: Logger) async -> Bool {
        guard let checkIn, !dryRun else { return false }
        let target = "\(checkIn.method) \(checkIn.url.absoluteString)"
        do {
            let reply = try await client.send(checkIn.request, maxBytes: 64 * 1024)
            guard (200..<300).contains(reply.status) else {
                logger.error(
                    "the boot check-in was refused", metadata: ["request": "\(target)", "status": "\(reply.status)"])
                return false
            }
            logger.info("boot check-in sent", metadata: ["request": "\(target)"])
            return true
        } catch {
            logger.error("the boot check-in failed", metadata: ["request": "\(target)", "error": "\(error)"])
            return false
        }
    }
}
