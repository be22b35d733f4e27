#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Binds a socket to a reserved source port (below 1024), for services that answer only a
/// client that could bind one, i.e. root: Scaleway's user and vendor data (cloud-init's
/// `query_data_api`, "to ensure the client is root").
///
/// Ports are tried from 1023 down to 600, as glibc's `bindresvport` does, skipping those in use.
/// No `SO_REUSEADDR`: a port still in TIME_WAIT from the previous request is then refused at
/// bind (EADDRINUSE, skipped) instead of failing the connect with EADDRNOTAVAIL.
enum ReservedSourcePort {
    static let ports = Array((600...1023).reversed())

    /// Binds `fd` (of `family`, AF_INET or AF_INET6) to the first free reserved port on the
    /// wildcard address; throws what the system said (EACCES: the agent is not root).
    static func bind(_ fd: Int32, family: Int32) throws(SocketError) {
        for port in ports {
            let result: Int32
            if family == AF_INET6 {
                var address = sockaddr_in6()
                address.sin6_family = sa_family_t(AF_INET6)
                address.sin6_port = in_port_t(UInt16(port).bigEndian)
                address.sin6_addr = in6addr_any
                result = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                    }
                }
            } else {
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = in_port_t(UInt16(port).bigEndian)
                address.sin_addr = in_addr(s_addr: INADDR_ANY)
                result = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            if result == 0 { return }
            guard errno == EADDRINUSE else {
                throw .system("bind to a reserved source port: \(SocketError.describe(errno))")
            }
        }
        throw .system("bind to a reserved source port: every port from 600 to 1023 is in use")
    }
}
