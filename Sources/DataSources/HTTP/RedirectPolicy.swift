import FoundationEssentials

/// Which redirects a metadata request may follow. A metadata service has no reason to
/// redirect; a hostile one (or something in between) could use it to send the agent to a
/// server of its choosing, so: a GET or HEAD to the same scheme, host and port, once.
/// A POST or PUT is never redirected: following a redirected password POST as a GET
/// would "succeed" without storing anything (README, "Reliability").
enum RedirectPolicy {
    static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]

    /// Where to go next, nil when `reply` is not a redirect (or names no location);
    /// throws `.redirectRefused` naming both URLs when it must not be followed.
    static func target(of reply: HTTPReply, for request: HTTPRequestSpec, alreadyRedirected: Bool) throws -> URL? {
        guard redirectStatuses.contains(reply.status), let location = reply.headers["location"] else { return nil }
        let from = request.url.absoluteString
        guard let target = URL(string: location, relativeTo: request.url)?.absoluteURL else {
            throw DataSourceError.redirectRefused(from: from, to: location, reason: "the location is not a URL")
        }
        func refuse(_ reason: String) -> DataSourceError {
            .redirectRefused(from: from, to: target.absoluteString, reason: reason)
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            throw refuse("a \(request.method) is never redirected")
        }
        guard origin(of: target) == origin(of: request.url) else {
            throw refuse("it leads to another scheme, host or port")
        }
        guard !alreadyRedirected else { throw refuse("only one redirect is followed") }
        return target
    }

    /// scheme, lower-case host and effective port.
    static func origin(of url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? ""
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        return "\(scheme)://\(url.host?.lowercased() ?? ""):\(port)"
    }
}
