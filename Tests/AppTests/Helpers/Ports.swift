import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A port on 127.0.0.1 the system just gave out and nobody listens on, for a server to bind next
/// (the system hands out ports in turn, so it is not given again at once). Never a guessed number:
/// a guess may be taken by anything else on the machine.
func freePort() throws -> Int {
    let reserved = try ReservedPort()
    defer { reserved.release() }
    return reserved.port
}

/// A port on 127.0.0.1 held bound but never listened on, so every connection to it is refused at
/// once for as long as this is kept: an address that is certainly unreachable.
final class ReservedPort: @unchecked Sendable {
    let port: Int
    private let socket: Int32

    init() throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw RawConnectionError.failed("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(socket)
            throw RawConnectionError.failed("bind to port 0: errno \(errno)")
        }
        self.socket = socket
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func release() {
        Glibc.close(socket)
    }
}
