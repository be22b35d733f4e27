import Glibc

// Usage: SocketGet HOST PORT PATH. One HTTP/1.1 GET over a plain TCP socket (what the agent's
// SocketTransport does, without its poll loop, timeouts and reply reader): prints the status
// line's code and the bytes received.
let arguments = CommandLine.arguments
let host = arguments.count > 1 ? arguments[1] : "127.0.0.1"
let port = arguments.count > 2 ? arguments[2] : "8080"
let path = arguments.count > 3 ? arguments[3] : "/"
var hints = addrinfo()
hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
var list: UnsafeMutablePointer<addrinfo>?
guard getaddrinfo(host, port, &hints, &list) == 0, let address = list else { exit(2) }
let fd = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
guard connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else { exit(2) }
let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8)
_ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
var received: [UInt8] = []
var buffer = [UInt8](repeating: 0, count: 65536)
while true {
    let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
    if count <= 0 { break }
    received += buffer[0..<count]
}
close(fd)
let status = received.count >= 12 ? String(decoding: received[9..<12], as: UTF8.self) : "none"
print("status \(status) received \(received.count) bytes")
exit(status == "200" ? 0 : 1)
