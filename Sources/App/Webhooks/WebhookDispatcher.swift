import AsyncHTTPClient
import Foundation
import JSONSupport
import Logging
import Metrics
import NIOCore
import ServiceLifecycle
import Webhooks

/// Delivers the outbox: a service of the service group that, every poll interval, fans new events
/// out to the endpoints subscribed to them, then sends the deliveries that are due — each leased to
/// this instance while it sends (other instances skip it), signed to the Standard Webhooks
/// specification, retried on the configured schedule. At least once: a crash before an attempt's
/// outcome is written leaves a lease that runs out, and the delivery is sent again with the same id.
struct WebhookDispatcher: Service {
    let store: any Store
    let client: HTTPClient
    let settings: WebhookSettings
    let currency: Currency
    let now: @Sendable () -> Date
    let logger: Logger
    /// The outbox's tables exist once the migrations have run.
    let migrated: StartSignal

    /// Events fanned out, and deliveries sent at once, per round.
    static let batchSize = 32
    /// Events marked done at once while no endpoint is enabled (see `FanOutPlan`).
    static let unreceivableBatchSize = 1_000
    /// Longer than an attempt may take (15 s), so a live instance never loses a lease it is using.
    static let leaseDuration: TimeInterval = 60
    static let attemptTimeout: TimeAmount = .seconds(15)
    /// At most this much of a receiver's answer is read.
    static let responseLimit = 64 * 1024
    static let userAgent = "ecommerce-webhooks/1.0"

    static let deliveries = (
        delivered: Counter(label: "ecommerce_webhook_deliveries_total", dimensions: [("result", "delivered")]),
        retried: Counter(label: "ecommerce_webhook_deliveries_total", dimensions: [("result", "retried")]),
        failed: Counter(label: "ecommerce_webhook_deliveries_total", dimensions: [("result", "failed")])
    )
    static let pending = Gauge(label: "ecommerce_webhook_deliveries_pending")

    func run() async {
        await cancelWhenGracefulShutdown {
            await migrated.wait()
            var rounds = 0
            var moreDue = false
            while !Task.isCancelled {
                // A backlog is worked off round after round; otherwise the dispatcher waits a poll interval.
                // A sleep cut short by shutdown ends the loop through the cancellation check.
                if !moreDue { try? await Task.sleep(for: settings.pollInterval) }
                guard !Task.isCancelled else { return }
                moreDue = false
                do {
                    moreDue = try await round()
                    // The gauge every few seconds: a count is more than a round needs.
                    if rounds % 25 == 0 { Self.pending.record(try await store.read { try await $0.pendingDeliveryCount() }) }
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("Webhook dispatch paused until the next round: \(error)")
                }
                rounds += 1
            }
        }
    }

    /// Fans out everything new, then sends one batch of due deliveries and records their outcomes in
    /// one transaction. True when the batch was full: more may be due at once.
    @discardableResult
    func round() async throws -> Bool {
        guard try await store.read({ [now] in try await $0.outboxHasWork(at: now()) }) else { return false }
        while try await fanOut() {}
        let due = try await store.transaction { [now] session in
            let time = now()
            return try await session.leaseDueDeliveries(limit: Self.batchSize, at: time, until: time.addingTimeInterval(Self.leaseDuration))
        }
        guard !due.isEmpty else { return false }
        let endpoints = try await store.read { session in
            var endpoints: [Int64: WebhookEndpoint] = [:]
            for id in Set(due.map(\.endpointID)) { endpoints[id] = try await session.endpoint(id: id) }
            return endpoints
        }
        // Each endpoint's URL is checked once per round, and its attempts connect only where it was checked.
        let check = DestinationCheck(allowInsecure: settings.allowInsecure)
        var verdicts: [Int64: DestinationCheck.Verdict] = [:]
        for endpoint in endpoints.values where endpoint.enabled {
            verdicts[endpoint.id] = try await check.check(endpoint.url)
        }
        let pinned = PinnedClients(logger: logger)
        let attempts = await withTaskGroup(of: Attempt.self) { [verdicts] group in
            for delivery in due {
                guard let endpoint = endpoints[delivery.endpointID] else { continue }
                group.addTask { await attempt(delivery, to: endpoint, verdict: verdicts[endpoint.id], pinned: pinned) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        await pinned.shutdown()
        try await record(attempts)
        return due.count == Self.batchSize
    }

    /// Fans out the oldest new events: to nobody while no endpoint is enabled (see `FanOutPlan`),
    /// otherwise to their endpoints. The rendering is done beforehand, outside the transaction, so
    /// that it does not hold SQLite's writer (which order placement waits for). True when more events
    /// may be waiting.
    private func fanOut() async throws -> Bool {
        let plan = try await store.read { [currency] session -> FanOutPlan in
            let enabled = try await session.enabledEndpoints()
            if enabled.isEmpty {
                let waiting = try await session.eventsWaiting(limit: Self.unreceivableBatchSize)
                if !waiting.includesTestEvents { return .toNobody(waiting: waiting.count, lastRowID: waiting.lastRowID) }
            }
            let events = try await session.eventsToFanOut(limit: Self.batchSize, locking: false)
            return .toEndpoints(waiting: events.count, rendered: try await Self.render(
                events.filter { !Self.targets(of: $0, among: enabled).isEmpty }, currency: currency, in: session
            ))
        }
        switch plan {
        case .toNobody(_, nil):
            return false
        case .toNobody(let waiting, let lastRowID?):
            let marked = try await store.transaction { [now] session -> Bool in
                // An endpoint enabled meanwhile gets these events: the next call fans them out as usual.
                guard try await session.enabledEndpoints().isEmpty else { return false }
                try await session.fanOutToNobody(through: lastRowID, at: now())
                return true
            }
            return !marked || waiting == Self.unreceivableBatchSize
        case .toEndpoints(let waiting, let renderedBefore):
            return try await fanOut(waiting: waiting, renderedBefore: renderedBefore) == Self.batchSize
        }
    }

    /// While no endpoint is enabled, events (but test events) are only marked done, a thousand at a
    /// time, without reading them: a shop without webhooks pays one update per thousand changes
    /// rather than two reads and an update per 32 (a fifth of one-line orders' rate on SQLite).
    private enum FanOutPlan {
        case toNobody(waiting: Int, lastRowID: Int64?)
        case toEndpoints(waiting: Int, rendered: [Int64: String])
    }

    /// One transaction: up to a batch of new events, each rendered if placement left it unrendered
    /// (an event that arrived since `renderedBefore` was read is rendered inside), and a delivery to
    /// every enabled endpoint subscribed (a test event: to its endpoint alone). Returns how many it took.
    private func fanOut(waiting: Int, renderedBefore: [Int64: String]) async throws -> Int {
        // Nothing new: no transaction (on SQLite it would take the writer for nothing).
        guard waiting > 0 else { return 0 }
        return try await store.transaction { [now, currency, logger] session in
            let events = try await session.eventsToFanOut(limit: Self.batchSize)
            guard !events.isEmpty else { return 0 }
            let enabled = try await session.enabledEndpoints()
            let targets = Dictionary(uniqueKeysWithValues: events.map { ($0.rowID, Self.targets(of: $0, among: enabled)) })
            let unrendered = events.filter { targets[$0.rowID]?.isEmpty == false && renderedBefore[$0.rowID] == nil }
            let rendered = try await Self.render(unrendered, currency: currency, in: session)
                .merging(renderedBefore) { inside, _ in inside }
            let batch = events.map { event in
                let payload = event.payload ?? rendered[event.rowID]
                let endpoints = targets[event.rowID] ?? []
                if payload == nil, !endpoints.isEmpty {
                    logger.warning("Webhook event \(event.eventID) (\(event.type)) names a resource that is gone; not sent")
                }
                return EventFanOut(event: event, renderedPayload: rendered[event.rowID], endpointIDs: payload == nil ? [] : endpoints)
            }
            try await session.fanOut(batch, at: now())
            return events.count
        }
    }

    /// Who gets an event: a test event its endpoint alone, any other every enabled endpoint subscribed.
    private static func targets(of event: OutboxEvent, among enabled: [WebhookEndpoint]) -> [Int64] {
        if let endpointID = event.endpointID { return [endpointID] }
        guard let type = WebhookEventType(rawValue: event.type) else { return [] }
        return enabled.filter { $0.subscribes(to: type) }.map(\.id)
    }

    /// The bodies of the events placement left to render, by row id, in three queries whatever their
    /// number: each order as placed, or the product with the stock the change left it with. An event
    /// whose resource is gone has none.
    static func render(_ events: [OutboxEvent], currency: Currency, in session: StoreSession) async throws -> [Int64: String] {
        let unrendered = events.compactMap { event -> (event: OutboxEvent, type: WebhookEventType, subjectID: Int64)? in
            guard event.payload == nil, let type = WebhookEventType(rawValue: event.type), let subjectID = event.subjectID else { return nil }
            return (event, type, subjectID)
        }
        let orders = try await session.orders(ids: unrendered.filter { $0.type == .orderPlaced }.map(\.subjectID))
        let products = try await session.products(ids: unrendered.filter { $0.type.isStockAlert }.map(\.subjectID))
        var bodies: [Int64: String] = [:]
        for (event, type, subjectID) in unrendered {
            let bytes: [UInt8]
            switch type {
            case .orderPlaced:
                guard let order = orders[subjectID] else { continue }
                bytes = JSONWriter.bytes(of: WebhookEventBody(type: type, time: event.createdAt, data: OrderResponse(order.asPlaced, currency: currency)))
            case .productStockLow, .productOutOfStock:
                guard var product = products[subjectID], let quantity = event.quantityAfter else { continue }
                product.quantity = quantity
                bytes = JSONWriter.bytes(of: WebhookEventBody(type: type, time: event.createdAt, data: ProductResponse(product)))
            default:
                continue
            }
            bodies[event.rowID] = String(decoding: bytes, as: UTF8.self)
        }
        return bodies
    }

    /// One delivery's attempt and what comes of it: delivered, due again, or failed for good.
    struct Attempt: Sendable {
        let delivery: DueDelivery
        let endpointID: Int64
        let number: Int
        let outcome: AttemptOutcome
        let next: Date?
    }

    /// `verdict`: the endpoint's URL as checked this round; nil when it is disabled.
    private func attempt(
        _ delivery: DueDelivery, to endpoint: WebhookEndpoint, verdict: DestinationCheck.Verdict?, pinned: PinnedClients
    ) async -> Attempt {
        let time = now()
        let outcome: AttemptOutcome
        switch verdict {
        case nil:
            outcome = AttemptOutcome(delivered: false, statusCode: nil, error: "the endpoint is disabled")
        case .refused(let problem):
            outcome = AttemptOutcome(delivered: false, statusCode: nil, error: "url \(problem)")
        case .allowed(let pin):
            outcome = await send(delivery, to: endpoint, at: time, through: pin.map(pinned.client(for:)) ?? client)
        }
        let number = Int(delivery.attempts) + 1
        // A disabled endpoint's deliveries fail at once; an admin may retry them once it is enabled.
        let next = outcome.delivered || !endpoint.enabled || number > settings.retryDelays.count
            ? nil : time.addingTimeInterval(TimeInterval(settings.retryDelays[number - 1]) * Double.random(in: 0.9...1.1))
        return Attempt(delivery: delivery, endpointID: endpoint.id, number: number, outcome: outcome, next: next)
    }

    /// The round's outcomes in one transaction, then counted and the failures logged. When they cannot
    /// be written, the leases run out and the deliveries are sent again.
    private func record(_ attempts: [Attempt]) async throws {
        do {
            // Few statements, for the writer is the one order placement waits for: the delivered by
            // status code, each other outcome alone, and each endpoint once (any delivery this round
            // ends its failing streak).
            let delivered = Dictionary(grouping: attempts.filter(\.outcome.delivered)) { $0.outcome.statusCode ?? 0 }
            let endpoints = Dictionary(grouping: attempts, by: \.endpointID)
            try await store.transaction { [settings, now] session in
                let time = now()
                for (statusCode, attempts) in delivered {
                    try await session.recordDelivered(deliveryIDs: attempts.map(\.delivery.id), statusCode: statusCode, at: time)
                }
                for attempt in attempts where !attempt.outcome.delivered {
                    try await session.recordFailedAttempt(deliveryID: attempt.delivery.id, statusCode: attempt.outcome.statusCode,
                                                          error: attempt.outcome.error, nextAttempt: attempt.next)
                }
                for (endpointID, attempts) in endpoints {
                    try await session.noteEndpointAttempt(endpointID: endpointID, delivered: attempts.contains(where: \.outcome.delivered),
                                                          disableAfter: settings.disableAfter, at: time)
                }
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            logger.warning("Webhook deliveries \(attempts.map(\.delivery.id)): their outcomes could not be recorded (\(error)); they are sent again later")
            return
        }
        for attempt in attempts {
            let outcome = attempt.outcome
            if outcome.delivered {
                Self.deliveries.delivered.increment()
                continue
            }
            (attempt.next == nil ? Self.deliveries.failed : Self.deliveries.retried).increment()
            // Never the body or a secret: ids, status and error only.
            logger.warning("Webhook delivery attempt failed", metadata: [
                "endpoint_id": "\(attempt.endpointID)", "event_id": "\(attempt.delivery.eventID)", "delivery_id": "\(attempt.delivery.id)",
                "attempt": "\(attempt.number)", "status": "\(outcome.statusCode.map(String.init) ?? "none")",
                "error": "\(outcome.error ?? "")", "next_attempt": "\(attempt.next.map { "\($0)" } ?? "none, failed")",
            ])
        }
    }

    private func send(_ delivery: DueDelivery, to endpoint: WebhookEndpoint, at time: Date, through client: HTTPClient) async -> AttemptOutcome {
        let body = Array(delivery.body.utf8)
        var request = HTTPClientRequest(url: endpoint.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: Self.userAgent)
        for header in StandardWebhooks.headers(id: delivery.eventID, timestamp: Int(time.timeIntervalSince1970), body: body,
                                               secrets: endpoint.signingSecrets(at: time)) {
            request.headers.add(name: header.name, value: header.value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            return try await withTimeLimit(Self.attemptTimeout) { [client, request] in
                let response = try await client.execute(request, timeout: Self.attemptTimeout)
                var read = 0
                for try await chunk in response.body {
                    read += chunk.readableBytes
                    if read >= Self.responseLimit { break }
                }
                let code = Int(response.status.code)
                return AttemptOutcome(delivered: (200..<300).contains(code), statusCode: Int64(code),
                                      error: (200..<300).contains(code) ? nil : "answered \(code)")
            }
        } catch {
            return AttemptOutcome(delivered: false, statusCode: nil, error: "\(error)")
        }
    }
}

struct AttemptOutcome: Sendable {
    var delivered: Bool
    var statusCode: Int64?
    var error: String?
}

/// Runs `work`, cancelled when `limit` passes first: a receiver that trickles its answer cannot hold
/// an attempt beyond the limit.
func withTimeLimit<T: Sendable>(_ limit: TimeAmount, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: .nanoseconds(limit.nanoseconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let result = first else { throw AttemptTimedOut() }
        return result
    }
}

struct AttemptTimedOut: Error, CustomStringConvertible {
    var description: String { "no answer within 15 seconds" }
}
