import Hummingbird

/// The per-address limit on sign-in and registration attempts, shared by the API and the console so
/// a client cannot double its attempts by using both.
struct SignInAttempts: Sendable {
    /// nil when `AUTH_RATE_LIMIT` is 0.
    let limiter: AttemptLimiter?
    let addresses: ClientAddresses

    /// Counted before the body is read, so a refused attempt costs nothing more.
    func admit(_ request: Request, _ context: AppRequestContext) throws(AppError) {
        guard let limiter else { return }
        try limiter.admit(addresses.address(peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[.xForwardedFor],
                                            logger: context.logger))
    }
}
