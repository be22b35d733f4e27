#if canImport(Glibc)
import AgentBase
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How a socket wait ended.
enum SocketWaitOutcome {
    case ready
    case expired(TransferClock.Limit)
    case cancelled
}

/// One non-blocking TCP connection and a wake-up pipe: every wait is a `poll` on both, so
/// a hung server costs no CPU and `interrupt()` ends any wait at once, from any thread.
final class SocketConnection: @unchecked Sendable {
    private let lock = PlainLock()
    private var socket: Int32 = -1
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private var interrupted = false
    private var closed = false

    /// Nil when the process is out of descriptors.
    init?() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return nil }
        wakeRead = ends[0]
        wakeWrite = ends[1]
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
    }

    deinit { close() }

    /// Ends the current (or next) wait with `.cancelled`. Safe after `close()`.
    func interrupt() {
        lock.withLock {
            interrupted = true
            guard !closed else { return }
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
    }

    func close() {
        lock.withLock {
            guard !closed else { return }
            closed = true
            if socket >= 0 { _ = Glibc.close(socket) }
            _ = Glibc.close(wakeRead)
            _ = Glibc.close(wakeWrite)
        }
    }

    /// Connects to the first of `addresses` that accepts, each attempt bounded by `clock`.
    /// Throws the last address's error (`strerror`; `.networkUnreachable` for ENETUNREACH), or
    /// why a wait ended (cancelled, a limit).
    /// With `reservedSourcePort`, each socket is first bound to a port below 1024
    /// (`ReservedSourcePort`).
    func connect(to addresses: [SocketAddress], clock: TransferClock, reservedSourcePort: Bool = false)
        throws(SocketError)
    {
        var lastError = "no address to connect to"
        var lastCode: Int32 = 0
        for address in addresses {
            let fd = Glibc.socket(
                address.family,
                Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard fd >= 0 else { throw .system("socket: \(SocketError.describe(errno))") }
            lock.withLock { socket = fd }
            if reservedSourcePort { try ReservedSourcePort.bind(fd, family: address.family) }
            let started = address.withSockaddr { Glibc.connect(fd, $0, $1) }
            if started == 0 { return }
            if errno == EINPROGRESS {
                let outcome = wait(for: Int16(POLLOUT), clock: clock)
                guard case .ready = outcome else { throw .wait(outcome) }
                var code: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
                if code == 0 { return }
                lastCode = code
            } else {
                lastCode = errno
            }
            lastError = SocketError.describe(lastCode)
            lock.withLock {
                _ = Glibc.close(fd)
                socket = -1
            }
        }
        throw lastCode == ENETUNREACH ? .networkUnreachable : .system(lastError)
    }

    /// Sends all of `bytes`, waiting while the socket's buffer is full.
    func send(_ bytes: [UInt8], clock: TransferClock) throws(SocketError) {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes {
                Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if count > 0 {
                sent += count
                clock.progressed()
            } else if count < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                let outcome = wait(for: Int16(POLLOUT), clock: clock)
                guard case .ready = outcome else { throw .wait(outcome) }
            } else {
                throw .system("send: \(SocketError.describe(errno))")
            }
        }
    }

    /// Receives into `buffer`: the byte count, 0 at the end of the stream.
    func receive(into buffer: UnsafeMutableRawBufferPointer, clock: TransferClock) throws(SocketError) -> Int {
        while true {
            let count = recv(socket, buffer.baseAddress, buffer.count, 0)
            if count >= 0 {
                if count > 0 { clock.progressed() }
                return count
            }
            guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else {
                throw .system("receive: \(SocketError.describe(errno))")
            }
            let outcome = wait(for: Int16(POLLIN), clock: clock)
            guard case .ready = outcome else { throw .wait(outcome) }
        }
    }

    /// Sleeps in `poll` until the socket is ready for `events`, the clock runs out, or
    /// `interrupt()` is called.
    private func wait(for events: Int16, clock: TransferClock) -> SocketWaitOutcome {
        while true {
            if lock.withLock({ interrupted }) { return .cancelled }
            let (milliseconds, limit) = clock.remaining()
            guard milliseconds > 0 else { return .expired(limit) }
            var fds = [
                pollfd(fd: socket, events: events, revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, 2, Int32(min(milliseconds, 1000)))
            if ready < 0, errno != EINTR { return .ready }  // let the next call report the socket's error
            if fds[1].revents != 0 { return .cancelled }
            if fds[0].revents != 0 { return .ready }
        }
    }
}

/// A failed socket step: a system error's text, or why a wait ended.
enum SocketError: Error {
    case system(String)
    /// No route to any address (ENETUNREACH).
    case networkUnreachable
    case wait(SocketWaitOutcome)

    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// A resolved address, as `connect` takes it.
struct SocketAddress {
    let family: Int32
    let bytes: [UInt8]

    func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        bytes.withUnsafeBytes { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
    }

    /// The addresses of `host` (a literal or a name) and `port`, in getaddrinfo's order.
    /// A literal never touches DNS; a name is resolved by the system resolver, which no
    /// timeout of ours bounds (metadata services are addressed by literals).
    static func resolve(host: String, port: Int) throws(SocketError) -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(host, String(port), &hints, &list)
        guard code == 0, let list else {
            throw .system("cannot resolve '\(host)': \(String(cString: gai_strerror(code)))")
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            if let address = current.pointee.ai_addr {
                let bytes = UnsafeRawBufferPointer(start: address, count: Int(current.pointee.ai_addrlen))
                addresses.append(SocketAddress(family: current.pointee.ai_family, bytes: Array(bytes)))
            }
            entry = current.pointee.ai_next
        }
        return addresses
    }
}
