import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to a local server, for tests that must control every byte and every pause
/// (a head sent alone, a body cut short, a request trickled a byte at a time). Blocking socket calls
/// run off the cooperative threads.
final class RawConnection: @unchecked Sendable {
    private let socket: Int32

    /// Connects and sends `text` in one step off the cooperative threads: no busy test thread can
    /// leave a gap between the two for a server's idle timeout to close.
    static func open(port: Int, sending text: String) async throws -> RawConnection {
        let (connection, sent) = try await offCooperativeThreads {
            Result { try RawConnection(port: port) }.map { ($0, $0.sendNow(text)) }
        }.get()
        guard sent else { throw RawConnectionError.failed("send: the server closed the new connection") }
        return connection
    }

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw RawConnectionError.failed("socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            Glibc.close(socket)
            throw RawConnectionError.failed("connect")
        }
    }

    deinit {
        Glibc.close(socket)
    }

    /// Sends `text`; false when the server has closed the connection (EPIPE or a reset).
    @discardableResult
    func send(_ text: String) async -> Bool {
        await send([text], pausing: .zero)
    }

    /// Sends `parts` with `pause` between them, timed on a thread of its own: the suite's busy
    /// cooperative threads could stretch a pause between two awaited sends to seconds.
    @discardableResult
    func send(_ parts: [String], pausing pause: Duration) async -> Bool {
        let microseconds = UInt32(pause.components.seconds * 1_000_000 + pause.components.attoseconds / 1_000_000_000_000)
        return await offCooperativeThreads { [self] in
            for (index, part) in parts.enumerated() {
                if index > 0 { usleep(microseconds) }
                guard sendNow(part) else { return false }
            }
            return true
        }
    }

    /// Sends `text` from the calling thread, blocking it.
    private func sendNow(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let sent = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return sent == bytes.count
    }

    /// Closes the connection from this side.
    func close() {
        shutdown(socket, Int32(SHUT_RDWR))
    }

    /// Everything the server sends until it closes the connection or `timeout` passes, and whether
    /// it closed the connection within `timeout`.
    func readUntilClosed(timeout: Duration) async -> (text: String, closed: Bool) {
        await read(until: { _ in false }, timeout: timeout)
    }

    /// What the server sends until `enough` holds for all of it, the server closes the connection, or
    /// `timeout` passes; and whether the server closed it.
    func read(until enough: @escaping @Sendable (String) -> Bool, timeout: Duration) async -> (text: String, closed: Bool) {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        return await offCooperativeThreads { [socket] in
            let deadline = Date().addingTimeInterval(seconds)
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let remaining = deadline.timeIntervalSinceNow
                let text = String(decoding: received, as: UTF8.self)
                guard remaining > 0, !enough(text) else { return (text, false) }
                var poller = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, Int32(max(1, remaining * 1000))) > 0 else { continue }
                let count = recv(socket, &buffer, buffer.count, 0)
                // 0: the server closed; below 0: it reset the connection — closed either way.
                guard count > 0 else { return (String(decoding: received, as: UTF8.self), true) }
                received += buffer[0..<count]
            }
        }
    }
}

enum RawConnectionError: Error {
    case failed(String)
}

/// The status code of the first response in `text`, if there is one.
func statusCode(of text: String) -> Int? {
    text.firstMatch(of: /^HTTP\/1\.1 (\d{3})/).flatMap { Int($0.output.1) }
}

/// The body of the first response in `text` (after its blank line).
func body(of text: String) -> String {
    text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
}
