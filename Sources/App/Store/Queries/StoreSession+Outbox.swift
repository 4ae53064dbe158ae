import Foundation
import JSONSupport
import SQLKit

/// The outbox's write side: an event is a row written in the transaction of the change it reports,
/// so it commits with the change or not at all; the dispatcher delivers it afterwards.
extension StoreSession {
    /// An event whose body is rendered now: the resource as its `GET` returns it after the change.
    /// Returns the event's id.
    @discardableResult
    func recordEvent(_ type: WebhookEventType, _ data: some JSONWritable, at time: Date, endpointID: Int64? = nil) async throws -> String {
        let id = WebhookEventID.make(at: time)
        let body = String(decoding: JSONWriter.bytes(of: WebhookEventBody(type: type, time: time, data: data)), as: UTF8.self)
        try await sql.raw("""
            INSERT INTO webhook_events (event_id, type, payload, endpoint_id, created_at)
            VALUES (\(bind: id), \(bind: type.rawValue), \(bind: body), \(bind: endpointID), \(bind: time))
            """).run()
        return id
    }

    /// An event the dispatcher renders (order placement's hot path): the order as placed, or the
    /// product with the stock it was left with.
    func recordDeferredEvents(_ events: [(type: WebhookEventType, subjectID: Int64, quantityAfter: Int64?)], at time: Date) async throws {
        guard !events.isEmpty else { return }
        try await insertRows(into: "webhook_events", columns: "event_id, type, subject_id, quantity_after, created_at", events.map { event in
            [WebhookEventID.make(at: time), event.type.rawValue, event.subjectID, event.quantityAfter, time]
        })
    }
}

/// `msg_` and 32 hexadecimal digits, the `webhook-id` of every delivery of one event: the time in
/// milliseconds (12 digits), then 80 random bits. Ids made one after another sort together, so each
/// is added at the end of the unique index on them (on SQLite, random ids each wrote a page of that
/// index somewhere else, a WAL frame per order), and the random part keeps them unique and unguessable.
enum WebhookEventID {
    static func make(at time: Date) -> String {
        var random = SystemRandomNumberGenerator()
        let milliseconds = UInt64(max(0, time.timeIntervalSince1970 * 1000)) & 0xFFFF_FFFF_FFFF
        return "msg_" + Hex.string(of: milliseconds << 16 | random.next() & 0xFFFF, random.next())
    }

    /// The same id made by PostgreSQL, for each row of a statement that writes events (orders placed
    /// together). The random digits come from two UUIDs' random parts: a version 4 UUID's hex digits
    /// 13 and 17 are fixed, so digits 1–12 of one and 21–28 of another.
    static func postgresExpression(at time: Date) -> SQLQueryString {
        """
        'msg_' || lpad(to_hex(floor(extract(epoch FROM \(bind: time)) * 1000)::int8), 12, '0')
            || substr(replace(gen_random_uuid()::text, '-', ''), 1, 12) || substr(replace(gen_random_uuid()::text, '-', ''), 21, 8)
        """
    }
}

/// The body every delivery of an event carries: `{"type", "timestamp", "data"}`.
struct WebhookEventBody<Data: JSONWritable>: JSONWritable {
    let type: WebhookEventType
    let time: Date
    let data: Data

    func write(to json: inout JSONWriter) {
        json.object { object in
            object.field("type", type.rawValue)
            object.field("timestamp", time)
            object.field("data", data)
        }
    }
}
