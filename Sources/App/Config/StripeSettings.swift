/// Card payments through Stripe, off unless configured: the secret key turns on checkout and refunds
/// through Stripe, the webhook signing secret turns on `POST /stripe/webhook`.
public struct StripeSettings: Sendable, Equatable {
    /// `STRIPE_SECRET_KEY`: a secret (`sk_…`) or restricted (`rk_…`) key.
    public var secretKey: String?
    /// `STRIPE_WEBHOOK_SECRET`: the endpoint's signing secret (`whsec_…`).
    public var webhookSecret: String?
    /// `STRIPE_API_BASE`: where Stripe's API is; tests point it at a local server.
    public var apiBase = "https://api.stripe.com"

    public init() {}

    static func fromEnvironment(_ environment: [String: String]) throws(ConfigError) -> StripeSettings {
        var settings = StripeSettings()
        if let key = environment["STRIPE_SECRET_KEY"], !key.isEmpty {
            // A publishable key (pk_…) pasted here would fail every call; say so at start-up instead.
            guard key.hasPrefix("sk_") || key.hasPrefix("rk_") else {
                throw ConfigError("STRIPE_SECRET_KEY must be a Stripe secret key (sk_…) or restricted key (rk_…)")
            }
            settings.secretKey = key
        }
        if let secret = environment["STRIPE_WEBHOOK_SECRET"], !secret.isEmpty {
            guard secret.hasPrefix("whsec_") else {
                throw ConfigError("STRIPE_WEBHOOK_SECRET must be a webhook signing secret (whsec_…)")
            }
            settings.webhookSecret = secret
        }
        if let base = environment["STRIPE_API_BASE"] {
            guard base.hasPrefix("https://") || base.hasPrefix("http://"), base.count > "https://".count else {
                throw ConfigError("STRIPE_API_BASE must be an http:// or https:// address; got '\(base)'")
            }
            settings.apiBase = base
        }
        return settings
    }
}
