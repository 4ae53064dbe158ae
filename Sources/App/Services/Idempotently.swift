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
            if let record = try await session.idempotencyRecord(scope: key.scope, key: key.value) {
                guard record.fingerprint == fingerprint else { throw AppError.idempotencyKeyReused }
                return (record.responseBody, true)
            }
            let time = now()
            let (orderID, response) = try await change(session, time)
            try await session.insertIdempotencyRecord(
                scope: key.scope, key: key.value, IdempotencyRecord(fingerprint: fingerprint, responseBody: response),
                orderID: orderID, at: time)
            return (response, false)
        }
    }
}
