import Foundation
import SQLKit

/// The dispatcher's side of the outbox: events fanned out to the endpoints subscribed, due deliveries
/// leased to one instance at a time, and each attempt's outcome.
extension StoreSession {
    /// `FOR UPDATE SKIP LOCKED` where instances share the database: each takes rows no other holds.
    /// (SQLite's single writer serialises the whole transaction instead.)
    private var skipLockedClause: SQLQueryString { flavour == .sqlite ? "" : " FOR UPDATE SKIP LOCKED" }

    /// Whether there is anything to do, asked before any transaction is opened: an idle dispatcher
    /// reads, it does not take SQLite's writer or lock rows every poll.
    func outboxHasWork(at time: Date) async throws -> Bool {
        let newEvent = try await sql.raw("SELECT id FROM webhook_events WHERE fanned_out_at IS NULL LIMIT 1").first()
        guard newEvent == nil else { return true }
        return try await sql.raw("""
            SELECT id FROM webhook_deliveries WHERE status = \(bind: WebhookDeliveryStatus.pending.rawValue)
            AND next_attempt_at <= \(bind: time) AND (lease_until IS NULL OR lease_until < \(bind: time)) LIMIT 1
            """).first() != nil
    }

    /// Events not yet fanned out, oldest first; `locking`: locked for this transaction.
    func eventsToFanOut(limit: Int, locking: Bool = true) async throws -> [OutboxEvent] {
        try await sql.raw("""
            SELECT id, event_id, type, payload, subject_id, quantity_after, endpoint_id, created_at FROM webhook_events
            WHERE fanned_out_at IS NULL ORDER BY id LIMIT \(bind: limit)\(locking ? skipLockedClause : "")
            """).all().map { row in
            OutboxEvent(rowID: try row.int("id"), eventID: try row.string("event_id"), type: try row.string("type"),
                        payload: try row.optionalString("payload"), subjectID: try row.optionalInt("subject_id"),
                        quantityAfter: try row.optionalInt("quantity_after"), endpointID: try row.optionalInt("endpoint_id"),
                        createdAt: try row.date("created_at"))
        }
    }

    /// The oldest events not yet fanned out, up to `limit`: how many, the last one's row id, and
    /// whether any is a test event (addressed to its endpoint, enabled or not).
    func eventsWaiting(limit: Int) async throws -> (count: Int, lastRowID: Int64?, includesTestEvents: Bool) {
        let row = try await sql.raw("""
            SELECT count(*) AS waiting, max(id) AS last_id, count(endpoint_id) AS tests FROM (
                SELECT id, endpoint_id FROM webhook_events WHERE fanned_out_at IS NULL ORDER BY id LIMIT \(bind: limit)
            ) oldest
            """).first()
        guard let row else { return (0, nil, false) }
        return (Int(try row.int("waiting")), try row.optionalInt("last_id"), try row.int("tests") > 0)
    }

    /// Marks done, in one statement, the events up to `lastRowID` when no endpoint is enabled: nobody
    /// can receive them. Test events are left to the usual fan-out.
    func fanOutToNobody(through lastRowID: Int64, at time: Date) async throws {
        try await sql.raw("""
            UPDATE webhook_events SET fanned_out_at = \(bind: time)
            WHERE fanned_out_at IS NULL AND endpoint_id IS NULL AND id <= \(bind: lastRowID)
            """).run()
    }

    /// A batch of events fanned out in two statements whatever its size: the bodies rendered for it
    /// stored and every event marked done, then one pending delivery per event and endpoint.
    func fanOut(_ batch: [EventFanOut], at time: Date) async throws {
        guard !batch.isEmpty else { return }
        var update: SQLQueryString = "UPDATE webhook_events SET fanned_out_at = \(bind: time)"
        let rendered = batch.compactMap { item in item.renderedPayload.map { (rowID: item.event.rowID, payload: $0) } }
        if !rendered.isEmpty {
            update.appendInterpolation(unsafeRaw: ", payload = CASE id")
            for (rowID, payload) in rendered {
                update.appendInterpolation(unsafeRaw: " WHEN ")
                update.appendInterpolation(bind: rowID)
                update.appendInterpolation(unsafeRaw: " THEN ")
                update.appendInterpolation(bind: payload)
            }
            update.appendInterpolation(unsafeRaw: " ELSE payload END")
        }
        update.appendInterpolation(unsafeRaw: " WHERE id IN (")
        update.appendInterpolation(binds: batch.map(\.event.rowID))
        update.appendInterpolation(unsafeRaw: ")")
        try await sql.raw(update).run()
        let deliveries: [[any Encodable & Sendable]] = batch.flatMap { item in
            item.endpointIDs.map { [$0, item.event.rowID, WebhookDeliveryStatus.pending.rawValue, Int64(0), time, time] }
        }
        // Chunks keep a statement's parameters well under every database's limit.
        for start in stride(from: 0, to: deliveries.count, by: 1_000) {
            try await insertRows(into: "webhook_deliveries", columns: "endpoint_id, event_id, status, attempts, next_attempt_at, created_at",
                                 Array(deliveries[start..<min(start + 1_000, deliveries.count)]))
        }
    }

    /// Takes up to `limit` due deliveries for this instance until `leaseUntil`: pending, due, and not
    /// leased by another instance (or leased by one that let the lease run out).
    func leaseDueDeliveries(limit: Int, at time: Date, until leaseUntil: Date) async throws -> [DueDelivery] {
        let ids = try await sql.raw("""
            SELECT id FROM webhook_deliveries
            WHERE status = \(bind: WebhookDeliveryStatus.pending.rawValue) AND next_attempt_at <= \(bind: time)
            AND (lease_until IS NULL OR lease_until < \(bind: time))
            ORDER BY next_attempt_at, id LIMIT \(bind: limit)\(skipLockedClause)
            """).all().map { try $0.int("id") }
        guard !ids.isEmpty else { return [] }
        try await sql.raw("UPDATE webhook_deliveries SET lease_until = \(bind: leaseUntil) WHERE id IN (\(binds: ids))").run()
        return try await sql.raw("""
            SELECT d.id, d.endpoint_id, d.attempts, e.event_id, e.payload FROM webhook_deliveries d
            JOIN webhook_events e ON e.id = d.event_id WHERE d.id IN (\(binds: ids)) ORDER BY d.id
            """).all().map { row in
            DueDelivery(id: try row.int("id"), endpointID: try row.int("endpoint_id"), attempts: try row.int("attempts"),
                        eventID: try row.string("event_id"), body: try row.string("payload"))
        }
    }

    /// Deliveries that one receiver status delivered, in one statement (a round's usual outcome).
    func recordDelivered(deliveryIDs: [Int64], statusCode: Int64, at time: Date) async throws {
        guard !deliveryIDs.isEmpty else { return }
        try await sql.raw("""
            UPDATE webhook_deliveries SET status = \(bind: WebhookDeliveryStatus.delivered.rawValue), attempts = attempts + 1,
            last_status_code = \(bind: statusCode), last_error = NULL, next_attempt_at = NULL, delivered_at = \(bind: time),
            lease_until = NULL WHERE id IN (\(binds: deliveryIDs))
            """).run()
    }

    /// An attempt that did not deliver: due again at `nextAttempt`, or failed for good (nil).
    func recordFailedAttempt(deliveryID: Int64, statusCode: Int64?, error: String?, nextAttempt: Date?) async throws {
        let status: WebhookDeliveryStatus = nextAttempt == nil ? .failed : .pending
        try await sql.raw("""
            UPDATE webhook_deliveries SET status = \(bind: status.rawValue), attempts = attempts + 1,
            last_status_code = \(bind: statusCode), last_error = \(bind: error), next_attempt_at = \(bind: nextAttempt),
            lease_until = NULL WHERE id = \(bind: deliveryID)
            """).run()
    }

    func pendingDeliveryCount() async throws -> Int64 {
        try await sql.raw("""
            SELECT COUNT(*) AS pending FROM webhook_deliveries WHERE status = \(bind: WebhookDeliveryStatus.pending.rawValue)
            """).first().map { try $0.int("pending") } ?? 0
    }
}

/// An outbox row as the dispatcher reads it.
struct OutboxEvent: Sendable, Equatable {
    var rowID: Int64
    var eventID: String
    var type: String
    /// Nil until rendered: placement leaves it to the dispatcher (`subjectID`, `quantityAfter`).
    var payload: String?
    var subjectID: Int64?
    var quantityAfter: Int64?
    /// A test event's one endpoint.
    var endpointID: Int64?
    var createdAt: Date
}

/// What fanning out one event does: stores the body rendered for it now (nil: it had one, or the
/// resource is gone), and creates a delivery to each endpoint.
struct EventFanOut: Sendable {
    var event: OutboxEvent
    var renderedPayload: String?
    var endpointIDs: [Int64]
}

/// A delivery leased to this instance: what to send, and where.
struct DueDelivery: Sendable, Equatable {
    var id: Int64
    var endpointID: Int64
    var attempts: Int64
    var eventID: String
    var body: String
}

extension StoreSession {
    /// An endpoint's health after an attempt: any success clears its failing spell; a failure starts
    /// one, and one that has lasted `disableAfter` disables the endpoint, saying why.
    func noteEndpointAttempt(endpointID: Int64, delivered: Bool, disableAfter: TimeInterval, at time: Date) async throws {
        guard !delivered else {
            try await sql.raw("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = \(bind: endpointID)").run()
            return
        }
        try await sql.raw("""
            UPDATE webhook_endpoints SET failing_since = \(bind: time) WHERE id = \(bind: endpointID) AND failing_since IS NULL
            """).run()
        let days = Int((disableAfter / 86_400).rounded())
        try await sql.raw("""
            UPDATE webhook_endpoints SET disabled_at = \(bind: time),
            disabled_reason = \(bind: "Every delivery failed for \(days == 0 ? "\(Int(disableAfter)) seconds" : "\(days) days"); enable it again once it answers.")
            WHERE id = \(bind: endpointID) AND disabled_at IS NULL AND failing_since <= \(bind: time.addingTimeInterval(-disableAfter))
            """).run()
    }
}

extension StoreSession {
    /// Finished deliveries created before `deliveriesBefore`, then fanned-out events created before
    /// `eventsBefore` that no delivery refers to.
    func deleteWebhookHistory(deliveriesBefore: Date, eventsBefore: Date) async throws {
        try await sql.raw("""
            DELETE FROM webhook_deliveries WHERE status <> \(bind: WebhookDeliveryStatus.pending.rawValue)
            AND created_at < \(bind: deliveriesBefore)
            """).run()
        try await sql.raw("""
            DELETE FROM webhook_events WHERE fanned_out_at IS NOT NULL AND created_at < \(bind: eventsBefore)
            AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = webhook_events.id)
            """).run()
    }

    func webhookEventCount() async throws -> Int64 {
        try await sql.raw("SELECT COUNT(*) AS events FROM webhook_events").first().map { try $0.int("events") } ?? 0
    }
}
