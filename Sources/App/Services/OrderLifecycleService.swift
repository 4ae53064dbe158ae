import Foundation
import Stripe

/// What happens to an order after it is placed: payments, refunds and fulfilments. Each is one
/// transaction that locks the order, asks its rules (`OrderProgress`) and writes the record, the
/// order's new amounts and statuses, and any stock it returns — all or nothing.
public struct OrderLifecycleService: Sendable {
    let store: any Store
    let now: @Sendable () -> Date
    /// Refunds of money paid through Stripe go back through it; nil when card payments are off.
    let stripe: StripeAPI?
    /// For the orders that events carry.
    let currency: Currency

    struct PaymentDraft: Sendable, Equatable {
        var amount: Money
        var method: PaymentMethod
        var reference: String?
        var provider: PaymentProvider = .manual
    }

    struct RefundDraft: Sendable, Equatable {
        var amount: Money
        var reason: String?
        var restock: [ItemQuantity]
    }

    struct FulfillmentDraft: Sendable, Equatable {
        /// Nil ships everything not yet shipped.
        var items: [ItemQuantity]?
        var carrier: String?
        var trackingNumber: String?
        var trackingURL: String?
    }

    func pay(orderID: Int64, _ draft: PaymentDraft) async throws -> Payment {
        try await store.transaction { [now, currency] in try await Self.pay(orderID, draft, currency, in: $0, at: now()) }
    }

    /// As `pay`, once per idempotency key (`Store.once`); `respond` renders the response to store.
    func pay(
        orderID: Int64, _ draft: PaymentDraft, idempotencyKey key: IdempotencyKey,
        respond: @escaping @Sendable (Payment) throws -> String
    ) async throws -> (response: String, replayed: Bool) {
        try await once(key, orderID: orderID, fingerprint: draft.fingerprint(orderID: orderID), respond: respond) {
            try await Self.pay(orderID, draft, currency, in: $0, at: $1)
        }
    }

    func refund(orderID: Int64, _ draft: RefundDraft) async throws -> Refund {
        let attempt = try await refundThroughStripe(orderID, draft, key: nil)
        return try await store.transaction { [now, currency] in
            try await Self.refund(orderID, draft, after: attempt, currency, in: $0, at: now())
        }
    }

    func refund(
        orderID: Int64, _ draft: RefundDraft, idempotencyKey key: IdempotencyKey,
        respond: @escaping @Sendable (Refund) throws -> String
    ) async throws -> (response: String, replayed: Bool) {
        let fingerprint = draft.fingerprint(orderID: orderID)
        // A retry of a refund already recorded is answered from the record, without asking Stripe again.
        if let response = try await store.read({ try await $0.storedResponse(for: key, fingerprint: fingerprint) }) {
            return (response, true)
        }
        let attempt = try await refundThroughStripe(orderID, draft, key: key)
        let outcome = try await once(key, orderID: orderID, fingerprint: fingerprint, respond: respond) {
            try await Self.refund(orderID, draft, after: attempt, currency, in: $0, at: $1)
        }
        // A concurrent twin with the same key recorded first (Stripe answered both with one refund):
        // this request's reservation is not needed.
        if outcome.replayed, let attempt { try await store.transaction { try await $0.deleteRefundAttempts(ids: [attempt.id]) } }
        return outcome
    }

    private func once<Record>(
        _ key: IdempotencyKey, orderID: Int64, fingerprint: String, respond: @escaping @Sendable (Record) throws -> String,
        _ record: @escaping @Sendable (StoreSession, Date) async throws -> Record
    ) async throws -> (response: String, replayed: Bool) {
        try await store.once(key, fingerprint: fingerprint, now: now) { session, time in
            (orderID, try respond(try await record(session, time)))
        }
    }

    static func pay(
        _ orderID: Int64, _ draft: PaymentDraft, _ currency: Currency, in session: StoreSession, at time: Date
    ) async throws -> Payment {
        try await changing(orderID, currency, in: session, at: time) { progress in
            if let refusal = progress.refusal(paying: draft.amount) { throw refusal }
            progress.recordPayment(of: draft.amount)
            return try await session.insertPayment(Payment(
                id: 0, orderID: orderID, provider: draft.provider, method: draft.method, amount: draft.amount,
                reference: draft.reference, createdAt: time))
        }
    }

    /// Records a refund; `attempt` is the Stripe refund it completes, whose reservation it takes over.
    static func refund(
        _ orderID: Int64, _ draft: RefundDraft, after attempt: StripeRefundAttempt?, _ currency: Currency,
        in session: StoreSession, at time: Date
    ) async throws -> Refund {
        try await changing(orderID, currency, in: session, at: time) { progress in
            if let attempt { try await attempt.complete(&progress, in: session) }
            if let refusal = progress.refusal(refunding: draft.amount, restock: draft.restock) { throw refusal }
            progress.recordRefund(of: draft.amount, restock: draft.restock)
            let refund = try await session.insertRefund(Refund(
                id: 0, orderID: orderID, amount: draft.amount, reason: draft.reason, restock: draft.restock, createdAt: time))
            try await Inventory.restore(draft.restock, .refundRestock(orderID: orderID, refundID: refund.id), in: session, at: time)
            return refund
        }
    }

    func fulfil(orderID: Int64, _ draft: FulfillmentDraft) async throws -> Fulfillment {
        try await store.transaction { [now, currency] session in
            let time = now()
            return try await Self.changing(orderID, currency, in: session, at: time) { progress in
                let items = try progress.fulfilment(of: draft.items).get()
                progress.recordFulfilment(of: items)
                return try await session.insertFulfillment(Fulfillment(
                    id: 0, orderID: orderID, items: items, carrier: draft.carrier, trackingNumber: draft.trackingNumber,
                    trackingURL: draft.trackingURL, createdAt: time))
            }
        }
    }

    func payments(orderID: Int64, _ page: PageRequest) async throws -> Page<Payment> {
        try await listing(orderID) { try await $0.payments(orderID: orderID, page) }
    }

    func refunds(orderID: Int64, _ page: PageRequest) async throws -> Page<Refund> {
        try await listing(orderID) { try await $0.refunds(orderID: orderID, page) }
    }

    func fulfillments(orderID: Int64, _ page: PageRequest) async throws -> Page<Fulfillment> {
        try await listing(orderID) { try await $0.fulfillments(orderID: orderID, page) }
    }

    /// Runs `change` on the order's locked progress, in the caller's transaction, and stores what it
    /// made of it with the events it is news of; 404 when there is no such order.
    private static func changing<Record: Sendable>(
        _ orderID: Int64, _ currency: Currency, in session: StoreSession, at time: Date,
        _ change: (inout OrderProgress) async throws -> Record
    ) async throws -> Record {
        guard var progress = try await session.orderProgress(id: orderID) else { throw AppError.missing("order", orderID) }
        let before = progress
        let record = try await change(&progress)
        try await session.storeProgress(progress, changedFrom: before, currency, at: time)
        return record
    }

    private func listing<Item: Sendable>(
        _ orderID: Int64, _ list: @escaping @Sendable (StoreSession) async throws -> Page<Item>
    ) async throws -> Page<Item> {
        try await store.read { session in
            guard try await session.order(id: orderID) != nil else { throw AppError.missing("order", orderID) }
            return try await list(session)
        }
    }
}
