import Foundation

extension Store {
    /// Runs `change` once per idempotency key, in one transaction with the response it stores: the
    /// first request changes and stores its response; a repeat of the same request (same
    /// `fingerprint`) gets that response back, replayed, and a different request with the key is
    /// refused (422). Concurrent requests with one key: one wins, the others see its record or a conflict.
    func once(
        _ key: IdempotencyKey, fingerprint: String, now: @escaping @Sendable () -> Date,
        _ change: @escaping @Sendable (StoreSession, Date) async throws -> (orderID: Int64, response: String)
    ) async throws -> (response: String, replayed: Bool) {
        try await transaction { session in
            if let response = try await session.storedResponse(for: key, fingerprint: fingerprint) { return (response, true) }
            let time = now()
            let (orderID, response) = try await change(session, time)
            try await session.insertIdempotencyRecord(
                scope: key.scope, key: key.value, IdempotencyRecord(fingerprint: fingerprint, responseBody: response),
                orderID: orderID, at: time)
            return (response, false)
        }
    }
}

extension StoreSession {
    /// The response stored for `key` when this request (same `fingerprint`) was already made, or nil;
    /// 422 when the key came with another request.
    func storedResponse(for key: IdempotencyKey, fingerprint: String) async throws -> String? {
        guard let record = try await idempotencyRecord(scope: key.scope, key: key.value) else { return nil }
        guard record.fingerprint == fingerprint else { throw AppError.idempotencyKeyReused }
        return record.responseBody
    }
}
