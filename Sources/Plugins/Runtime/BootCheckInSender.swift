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

    /// Sends Azure's ready report (`WireServerReadyReport`) unless `dryRun`: true when the
    /// WireServer accepted it. Like the check-in, its failure is logged, named, and is not the
    /// run's (the instance is configured; only the platform's view of it is not updated); its
    /// attempts and the client's limits bound it, so it never holds the boot.
    @discardableResult
    static func sendReadyReport(
        _ report: WireServerReadyReport?, client: MetadataHTTPClient, dryRun: Bool, logger: Logger
    ) async -> Bool {
        guard let report, !dryRun else { return false }
        let target = report.wireServer.absoluteString
        do {
            let goalState = try await report.send(client: client) { problem in
                logger.warning(
                    "the Azure ready report was not accepted; trying again",
                    metadata: ["wireserver": "\(target)", "error": "\(problem)"])
            }
            logger.info(
                "reported ready to Azure",
                metadata: [
                    "wireserver": "\(target)", "incarnation": "\(goalState.incarnation)",
                    "container": "\(goalState.containerID)", "instance": "\(goalState.instanceID)",
                ])
            return true
        } catch {
            logger.error("the Azure ready report failed", metadata: ["wireserver": "\(target)", "error": "\(error)"])
            return false
        }
    }
}
