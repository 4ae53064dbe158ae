import JSONSupport
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

extension HTTPServerBuilder {
    /// HTTP/1.1 with a `ConnectionGuard` on every connection.
    static func guardedHTTP1(idleTimeout: Duration, requestReadTimeout: Duration) -> HTTPServerBuilder {
        .init { responder in
            GuardedHTTP1Channel(
                responder: responder, idleTimeout: TimeAmount(idleTimeout), requestReadTimeout: TimeAmount(requestReadTimeout)
            )
        }
    }
}

/// Hummingbird's HTTP/1 channel with `ConnectionGuard` in place of its connection-state handler. The
/// guard keeps that handler's idle timeout and graceful shutdown, so every request passes one handler
/// of ours, not two beside Hummingbird's: each handler a request passes costs 2–4 % of a `/health`.
struct GuardedHTTP1Channel: HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let idleTimeout: TimeAmount
    let requestReadTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderFieldCount = 1000  // Hummingbird's own limit
            let pipeline = channel.pipeline.syncOperations
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: false,  // NIOAsyncChannel reads pipelined requests in turn
                withErrorHandling: false,  // the guard answers what the decoder refuses
                withOutboundHeaderValidation: false,  // HTTPTypes validated every field already
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: limits
            )
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try pipeline.addHandler(ConnectionGuard(idleTimeout: idleTimeout, requestReadTimeout: requestReadTimeout))
            return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    func handle(value: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: value, logger: logger)
    }
}

/// The client went away before its request had arrived whole (its body was cut short).
/// Not a server error: `ErrorMiddleware` counts it apart.
struct ClientClosedConnection: Error {}

/// Guards one HTTP/1 connection against what Hummingbird leaves open, between the HTTP decoder and
/// Hummingbird's request handling:
/// - a connection with nothing to read or answer for `idleTimeout` is closed;
/// - a request must arrive whole (head and body) within `requestReadTimeout` of its first byte:
///   a head that is late is answered 408 here; a body that is late fails the route's read with a
///   408 that the error middleware renders;
/// - a response that says `Connection: close` (413 for a declared length over the limit, 408) closes
///   the connection once written (Hummingbird would go on reading the refused body);
/// - bytes that are not HTTP (a malformed request line, oversized headers) get the usual JSON
///   error body with 400, not Hummingbird's empty one;
/// - a client leaving mid-body reaches the route as `ClientClosedConnection`;
/// - on graceful shutdown the connection closes once what it owes is answered.
/// Every method runs on the connection's event loop.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let idleTimeout: TimeAmount
    private let requestReadTimeout: TimeAmount
    private var context: ChannelHandlerContext?
    /// When the request being read sent its first byte; nil between requests.
    private var requestStarted: NIODeadline?
    /// When the connection last had nothing to read or answer: opened, or its last response ended.
    private var idleSince = NIODeadline.now()
    /// One timer per connection, never made and cancelled per request. Each arming is at most
    /// `requestReadTimeout` away, so a request that begins while it is armed is checked in time;
    /// when it fires it re-arms for whatever deadline is pending.
    private var timer: Scheduled<Void>?
    /// The request being read has delivered its head; its body is still arriving.
    private var readingBody = false
    /// A request ended in the bytes read last: what came with it belonged to it.
    private var requestEndedInThisRead = false
    /// Requests whose head was read and whose response has not ended yet.
    private var unanswered = 0
    /// A response head was written and its end not yet.
    private var responding = false
    private var closeAfterResponse = false
    /// The server is shutting down: close once nothing is owed.
    private var closeWhenAnswered = false
    /// A malformed request arrived while an earlier one was still being answered.
    private var malformedAfterResponse = false
    /// The guard has given up on the connection (answered it, or its request was late): what the
    /// client sends meanwhile is dropped.
    private var closing = false

    init(idleTimeout: TimeAmount, requestReadTimeout: TimeAmount) {
        self.idleTimeout = idleTimeout
        self.requestReadTimeout = requestReadTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { becameIdle() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopTimer()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        becameIdle()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopTimer()
        context.fireChannelInactive()
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
            requestEndedInThisRead = true
        }
        context.fireChannelRead(data)
    }

    /// Bytes were read. Unless they ended a request, or one is being read already, they start the
    /// next one although the decoder has not made a head of them yet: a head sent a byte at a time
    /// is timed from its first read, not from when it is complete. (Seen here, after the decoder,
    /// rather than by a handler before it: one handler less for every request.)
    func channelReadComplete(context: ChannelHandlerContext) {
        if requestStarted == nil && !requestEndedInThisRead && !closing { requestBegins() }
        requestEndedInThisRead = false
        context.fireChannelReadComplete()
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
            if closeAfterResponse || (closeWhenAnswered && unanswered == 0) {
                context.writeAndFlush(data, promise: promise)
                context.close(promise: nil)
            } else if malformedAfterResponse && unanswered == 0 {
                context.write(data, promise: promise)
                answerAndClose(context, .badRequest, Self.malformedReason)
            } else {
                context.write(data, promise: promise)
                if unanswered == 0 && requestStarted == nil { becameIdle() }
            }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else { return context.fireUserInboundEventTriggered(event) }
        // Graceful shutdown: finish what was asked, then close.
        if unanswered > 0 { closeWhenAnswered = true } else { context.close(promise: nil) }
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
        armTimer(at: now + requestReadTimeout)
    }

    private func becameIdle() {
        let now = NIODeadline.now()
        idleSince = now
        armTimer(at: now + min(idleTimeout, requestReadTimeout))
    }

    /// Arms the timer unless it is armed already (for a deadline no later than this one's can be:
    /// see `timer`).
    private func armTimer(at deadline: NIODeadline) {
        guard timer == nil, let context else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            timerFired()
        }
    }

    private func timerFired() {
        guard !closing, let context else { return }
        let now = NIODeadline.now()
        if let requestStarted {
            let deadline = requestStarted + requestReadTimeout
            if now < deadline { armTimer(at: deadline) } else { readDeadlinePassed() }
        } else if unanswered == 0 {
            let deadline = idleSince + idleTimeout
            if now < deadline { armTimer(at: min(deadline, now + requestReadTimeout)) } else { context.close(promise: nil) }
        }
        // Otherwise a response is being made: the timer is armed again when it ends or the next request begins.
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
