@testable import JSONSupport
import Foundation
import Stripe
import Testing

/// The service's Stripe signatures held to Stripe's own: `stripe/signatures.json` holds headers made by
/// Stripe's official Python library (`stripe/make_signatures.py`; CI checks them again with it), and
/// the service must make the same header and accept it, so the signing the other tests use is Stripe's.
@Suite struct StripeSignatureTests {
    struct Case: Sendable {
        var secret: String
        var timestamp: Int
        var payload: String
        var header: String
    }

    static let cases: [Case] = {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../stripe/signatures.json")
        guard let data = try? Data(contentsOf: file), let document = try? JSONValue(parsing: data) else { return [] }
        return document.array.compactMap { entry in
            guard let secret = entry["secret"].string, let timestamp = entry["timestamp"].int, let payload = entry["payload"].string,
                  let header = entry["header"].string
            else { return nil }
            return Case(secret: secret, timestamp: Int(timestamp), payload: payload, header: header)
        }
    }()

    @Test func stripesOwnLibrarySignedTheFixtures() {
        #expect(Self.cases.count >= 3, "stripe/signatures.json is missing or has too few cases")
    }

    @Test(arguments: cases)
    func theServiceSignsAsStripeAndAcceptsStripesSignature(_ fixture: Case) throws {
        let payload = Array(fixture.payload.utf8)
        #expect(StripeSignature.header(payload: payload, secret: fixture.secret, timestamp: fixture.timestamp) == fixture.header)
        let signedAt = Date(timeIntervalSince1970: TimeInterval(fixture.timestamp))
        try StripeSignature.verify(payload: payload, header: fixture.header, secret: fixture.secret, now: signedAt.addingTimeInterval(299))
        #expect(throws: StripeSignature.Refusal.stale) {
            try StripeSignature.verify(payload: payload, header: fixture.header, secret: fixture.secret, now: signedAt.addingTimeInterval(301))
        }
        #expect(throws: StripeSignature.Refusal.mismatch) {
            try StripeSignature.verify(payload: payload + [0x20], header: fixture.header, secret: fixture.secret, now: signedAt)
        }
        #expect(throws: StripeSignature.Refusal.mismatch) {
            try StripeSignature.verify(payload: payload, header: fixture.header, secret: fixture.secret + "x", now: signedAt)
        }
    }

    @Test func anyOfSeveralV1SignaturesMayMatchWhileASecretIsRolled() throws {
        let payload = Array(#"{"id": "evt_1"}"#.utf8)
        let current = StripeSignature.header(payload: payload, secret: "whsec_new", timestamp: 1_700_000_000)
        let old = StripeSignature.header(payload: payload, secret: "whsec_old", timestamp: 1_700_000_000)
        let both = old + "," + current.split(separator: ",")[1] + ",v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39"
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        try StripeSignature.verify(payload: payload, header: both, secret: "whsec_new", now: now)
        try StripeSignature.verify(payload: payload, header: both, secret: "whsec_old", now: now)
        #expect(throws: StripeSignature.Refusal.mismatch) { try StripeSignature.verify(payload: payload, header: both, secret: "whsec_other", now: now) }
    }

    @Test(arguments: [(nil, StripeSignature.Refusal.missing), ("", .missing), ("t=1700000000", .malformed),
                      ("v1=" + String(repeating: "a", count: 64), .malformed), ("t=1700000000,v1=zz", .malformed)])
    func aHeaderWithoutTimestampOrSignatureIsRefused(header: String?, refusal: StripeSignature.Refusal) {
        #expect(throws: refusal) {
            try StripeSignature.verify(payload: Array("{}".utf8), header: header, secret: "whsec_x", now: Date(timeIntervalSince1970: 1_700_000_000))
        }
    }
}
