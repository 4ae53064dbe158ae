import JSONSupport
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

extension HTTPServerBuilder {
    /// HTTP/1.1 with Hummingbird's idle timeout and a `ConnectionGuard` on every connection.
    static func guardedHTTP1(idleTimeout: Duration, requestReadTimeout: Duration) -> HTTPServerBuilder {
        let readTimeout = TimeAmount(requestReadTimeout)
        return .http1(configuration: .init(
            additionalChannelHandlers: [ConnectionGuard(requestReadTimeout: readTimeout)],
            idleTimeout: TimeAmount(idleTimeout)
        ))
    }
}

/// The client went away before its request had arrived whole (its body was cut short).
/// Not a server error: `ErrorMiddleware` counts it apart.
struct ClientClosedConnection: Error {}

/// Guards one HTTP/1 connection against what Hummingbird leaves open, between the HTTP decoder and
/// Hummingbird's request handling:
/// - a request must arrive whole (head and body) within `requestReadTimeout` of its first byte:
///   a head that is late is answered 408 here; a body that is late fails the route's read with a
///   408 that the error middleware renders;
/// - a response that says `Connection: close` (413 for a declared length over the limit, 408) closes
///   the connection once written (Hummingbird would go on reading the refused body);
/// - bytes that are not HTTP (a malformed request line, oversized headers) get the usual JSON
///   error body with 400, not Hummingbird's empty one;
/// - a client leaving mid-body reaches the route as `ClientClosedConnection`.
/// Every method runs on the connection's event loop.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let requestReadTimeout: TimeAmount
    private var context: ChannelHandlerContext?
    /// When the request being read sent its first byte; nil between requests.
    private var requestStarted: NIODeadline?
    /// One timer per connection, armed when a request starts and none is armed, and re-armed only if
    /// it fires with a request still being read: no timer is made and cancelled for every request.
    private var timer: Scheduled<Void>?
    /// The request being read has delivered its head; its body is still arriving.
    private var readingBody = false
    /// Requests whose head was read and whose response has not ended yet.
    private var unanswered = 0
    /// A response head was written and its end not yet.
    private var responding = false
    private var closeAfterResponse = false
    /// A malformed request arrived while an earlier one was still being answered.
    private var malformedAfterResponse = false
    /// The guard has given up on the connection (answered it, or its request was late): what the
    /// client sends meanwhile is dropped.
    private var closing = false

    init(requestReadTimeout: TimeAmount) {
        self.requestReadTimeout = requestReadTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // The first byte of a request comes before the HTTP decoder, where only raw bytes are seen.
        do {
            try context.pipeline.syncOperations.addHandler(FirstByteObserver(connectionGuard: self), position: .first)
        } catch {
            context.close(promise: nil)  // the channel is closing already
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopTimer()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopTimer()
        context.fireChannelInactive()
    }

    /// Bytes arrived: unless a request is already being read, they start the next one.
    fileprivate func bytesArrived() {
        if requestStarted == nil && !closing { requestBegins() }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        switch unwrapInboundIn(data) {
        case .head:
            unanswered += 1
            readingBody = true
            // Its first bytes may have come with the end of the request before.
            if requestStarted == nil { requestBegins() }
        case .body:
            break
        case .end:
            readingBody = false
            requestStarted = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let response):
            responding = true
            if response.headerFields[.connection]?.lowercased() == "close" { closeAfterResponse = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            responding = false
            unanswered -= 1
            if closeAfterResponse {
                context.writeAndFlush(data, promise: promise)
                context.close(promise: nil)
            } else if malformedAfterResponse && unanswered == 0 {
                context.write(data, promise: promise)
                answerAndClose(context, .badRequest, Self.malformedReason)
            } else {
                context.write(data, promise: promise)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let routeIsReadingBody = readingBody && unanswered > 0
        switch error {
        case HTTPParserError.invalidEOFState, is IOError:
            // The client closed or reset the connection; only a route still reading its body cares.
            if routeIsReadingBody { context.fireErrorCaught(ClientClosedConnection()) }
        case is HTTPParserError, is HTTP1TypeConversionError:
            if routeIsReadingBody {
                // The route reads the error and answers it (with `Connection: close`) through the error middleware.
                context.fireErrorCaught(error)
            } else if unanswered == 0 && !responding {
                answerAndClose(context, .badRequest, Self.malformedReason)
            } else {
                malformedAfterResponse = true
            }
        default:
            context.fireErrorCaught(error)
        }
    }

    static let malformedReason = "The request is not valid HTTP/1.1."

    private func requestBegins() {
        let now = NIODeadline.now()
        requestStarted = now
        if timer == nil { armTimer(at: now + requestReadTimeout) }
    }

    private func armTimer(at deadline: NIODeadline) {
        guard let context else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            guard let requestStarted else { return }  // no request is being read: stay unarmed
            let deadline = requestStarted + requestReadTimeout
            if NIODeadline.now() < deadline {
                armTimer(at: deadline)  // a later request is being read: its own deadline
            } else {
                readDeadlinePassed()
            }
        }
    }

    private func stopTimer() {
        timer?.cancel()
        timer = nil
    }

    private func readDeadlinePassed() {
        guard let context else { return }
        closing = true
        let seconds = requestReadTimeout.nanoseconds / 1_000_000_000
        let reason = "The request did not arrive within \(seconds) seconds."
        if readingBody && unanswered > 0 {
            // The route is waiting for the body: its read fails with 408, answered as any error.
            context.fireErrorCaught(HTTPError(.requestTimeout, headers: [.connection: "close"], message: reason))
        } else if !readingBody && unanswered == 0 && !responding {
            // The head is late and nothing is owed to the client: say why before closing.
            answerAndClose(context, .requestTimeout, reason)
        } else {
            context.close(promise: nil)
        }
    }

    /// Answers a request that never reached the router with the usual JSON error body, then closes.
    private func answerAndClose(_ context: ChannelHandlerContext, _ status: HTTPResponse.Status, _ reason: String) {
        let body = ByteBuffer(bytes: JSONWriter.bytes(of: ErrorBody(reason: reason)))
        let head = HTTPResponse(status: status, headerFields: [
            .contentType: "application/json; charset=utf-8", .contentLength: "\(body.readableBytes)", .connection: "close",
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        closing = true
        context.close(promise: nil)
    }
}

/// Tells the connection's guard when bytes arrive, before the HTTP decoder has made anything of them.
private final class FirstByteObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let connectionGuard: ConnectionGuard

    init(connectionGuard: ConnectionGuard) {
        self.connectionGuard = connectionGuard
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        connectionGuard.bytesArrived()
        context.fireChannelRead(data)
    }
}
