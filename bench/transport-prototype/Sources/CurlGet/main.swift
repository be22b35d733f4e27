import CCurlProto
import Glibc

// Usage: CurlGet URL. One GET, prints the status and the body size.
let url = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "http://127.0.0.1:8080/"
var bytes = 0
let status = proto_get(url, &bytes)
print("status \(status) body \(bytes) bytes")
exit(status == 200 ? 0 : 1)
