import Foundation
import JSONSupport
import Webhooks

extension FieldReader {
    /// A list of event names (`WebhookRules.eventsProblem`).
    mutating func eventNames(_ key: String, required: Bool) -> [String]? {
        guard let elements = array(key, required: required) else { return nil }
        var names: [String] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let name) = element else {
                report("\(key)[\(index)]", "must be a string, not \(element.typeName)")
                return nil
            }
            names.append(name)
        }
        if let problem = WebhookRules.eventsProblem(names) {
            report(key, problem)
            return nil
        }
        return names
    }
}

extension WebhookService.EndpointDraft {
    /// `POST /webhooks`: the patch's fields, with `url` and `events` required.
    init(body: JSONValue, allowInsecure: Bool) throws(AppError) {
        let fields = try WebhookService.EndpointPatch(body: body, allowInsecure: allowInsecure, creating: true)
        guard let url = fields.url, let events = fields.events else { throw .badRequest("url and events are required.") }
        self.init(url: url, events: events, description: fields.description ?? nil)
    }
}

extension WebhookService.EndpointPatch {
    /// `PATCH /webhooks/{id}`: only the fields sent change. `creating`: the fields of `POST /webhooks`.
    init(body: JSONValue, allowInsecure: Bool, creating: Bool = false) throws(AppError) {
        var reader = try FieldReader(body: body)
        let url = reader.string("url", required: creating) { WebhookRules.urlProblem($0, insecure: allowInsecure) }
        let events = reader.eventNames("events", required: creating)
        let description = reader.nullableString("description", rule: WebhookRules.descriptionRule)
        let enabled = creating ? nil : reader.bool("enabled", required: false)
        try reader.finish()
        self.init(url: url, events: events, description: description, enabled: enabled)
    }
}

/// An endpoint as the API shows it: the secret in full only when it was just made (creation and
/// rotation), otherwise its last four characters.
struct WebhookEndpointResponse: JSONResponse {
    let endpoint: WebhookEndpoint
    var showSecret = false

    func write(to json: inout JSONWriter) {
        json.object { object in
            object.field("id", endpoint.id)
            object.field("url", endpoint.url)
            object.field("events", endpoint.events)
            object.field("description", endpoint.description)
            object.field("enabled", endpoint.enabled)
            object.field("disabled_reason", endpoint.disabledReason)
            if showSecret { object.field("secret", endpoint.secret.text) }
            object.field("secret_hint", endpoint.secret.hint)
            object.field("created_at", endpoint.createdAt)
            object.field("updated_at", endpoint.updatedAt)
        }
    }
}

struct WebhookDeliveryResponse: JSONResponse {
    let delivery: WebhookDelivery

    init(_ delivery: WebhookDelivery) { self.delivery = delivery }

    func write(to json: inout JSONWriter) {
        json.object { object in
            object.field("id", delivery.id)
            object.field("event_id", delivery.eventID)
            object.field("event_type", delivery.eventType)
            object.field("status", delivery.status.rawValue)
            object.field("attempts", delivery.attempts)
            object.field("last_status_code", delivery.lastStatusCode)
            object.field("last_error", delivery.lastError)
            object.field("next_attempt_at", delivery.nextAttemptAt)
            object.field("delivered_at", delivery.deliveredAt)
            object.field("created_at", delivery.createdAt)
        }
    }
}

/// 202: the event is in the outbox; the dispatcher sends it.
struct WebhookAccepted: JSONResponse {
    let eventID: String

    func write(to json: inout JSONWriter) {
        json.object { $0.field("event_id", eventID) }
    }
}
