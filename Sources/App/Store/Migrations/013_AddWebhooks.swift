import SQLKit

/// The shop's outgoing webhooks: endpoints, the outbox of events (each written in the transaction of
/// the change it reports), and each event's delivery to each endpoint, attempt by attempt.
struct AddWebhooks: Migration {
    let name = "add_webhooks"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.create(table: "webhook_endpoints")
            .idColumn()
            .column("url", type: .text, .notNull)
            // Event names separated by commas, or "*".
            .column("events", type: .text, .notNull)
            .column("description", type: .text)
            .column("secret", type: .text, .notNull)
            .column("previous_secret", type: .text)
            .column("previous_secret_until", type: .timestamp)
            .column("disabled_at", type: .timestamp)
            .column("disabled_reason", type: .text)
            .column("failing_since", type: .timestamp)
            .column("created_at", type: .timestamp, .notNull)
            .column("updated_at", type: .timestamp, .notNull)
            .run()
        // The outbox. `payload` is the body every delivery sends; the placement of orders leaves it
        // empty (its one statement on PostgreSQL cannot render JSON as the API does) and names what
        // to render — the order as placed, or the product with `quantity_after` — for the dispatcher,
        // which renders it once before the first delivery. `endpoint_id` targets a test event.
        try await database.create(table: "webhook_events")
            .idColumn()
            .column("event_id", type: database.keyText(maxLength: 64), .notNull)
            .column("type", type: .text, .notNull)
            .column("payload", type: .text)
            .column("subject_id", type: .bigint)
            .column("quantity_after", type: .bigint)
            .column("endpoint_id", type: .bigint)
            .column("fanned_out_at", type: .timestamp)
            .column("created_at", type: .timestamp, .notNull)
            .run()
        try await database.create(index: "webhook_events_event_id_key").unique().on("webhook_events").column("event_id").run()
        try await database.create(index: "webhook_events_fanned_out_at_idx").on("webhook_events").column("fanned_out_at").column("id").run()
        try await database.create(table: "webhook_deliveries")
            .idColumn()
            .column("endpoint_id", type: .bigint, .notNull, .references("webhook_endpoints", "id"))
            .column("event_id", type: .bigint, .notNull, .references("webhook_events", "id"))
            .column("status", type: database.keyText(maxLength: 16), .notNull)
            .column("attempts", type: .bigint, .notNull)
            .column("last_status_code", type: .bigint)
            .column("last_error", type: .text)
            .column("next_attempt_at", type: .timestamp)
            // While an instance sends an attempt, no other takes it; a crashed instance's lease runs out.
            .column("lease_until", type: .timestamp)
            .column("delivered_at", type: .timestamp)
            .column("created_at", type: .timestamp, .notNull)
            .run()
        try await database.create(index: "webhook_deliveries_due_idx").on("webhook_deliveries")
            .column("status").column("next_attempt_at").run()
        try await database.create(index: "webhook_deliveries_endpoint_idx").on("webhook_deliveries")
            .column("endpoint_id").column("id").run()
    }

    func revert(on database: any SQLDatabase) async throws {
        for table in ["webhook_deliveries", "webhook_events", "webhook_endpoints"] {
            try await database.drop(table: table).run()
        }
    }
}
