@testable import App
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The admin console at /admin, as a browser meets it: sessions in cookies, CSRF tokens on every
/// form, HTML error pages, escaping, and the API's own rules and messages behind every form.
@Suite struct ConsoleTests {
    static let policy = "default-src 'self'; frame-ancestors 'none'"

    @Test func signedOutPagesSendTheVisitorToTheSignInForm() async throws {
        try await withApp { admin in
            var visitor = ConsoleVisitor(admin)
            for path in ["/admin", "/admin/products", "/admin/orders/1"] {
                let response = try await visitor.get(path)
                #expect(response.status == .seeOther && response.headers[.location] == "/admin/sign-in", "\(path)")
                #expect(response.headers[.contentSecurityPolicy] == Self.policy)
            }
            // A bearer token does not open the console: only its own cookie does.
            visitor.extraHeaders = admin.authHeaders
            #expect(try await visitor.get("/admin").status == .seeOther)
        }
    }

    @Test func anAdminSignsInWithTheFormAndTheCookieOpensEveryPage() async throws {
        try await withApp { admin in
            var visitor = ConsoleVisitor(admin)
            let form = try await visitor.get("/admin/sign-in")
            #expect(form.status == .ok && form.headers[.contentType] == "text/html; charset=utf-8")
            #expect(form.body.contains(#"<label for="username">"#) && form.body.contains(#"<label for="password">"#))
            let signedIn = try await visitor.post("/admin/sign-in", [("username", TestAdmin.username), ("password", TestAdmin.password)])
            #expect(signedIn.status == .seeOther && signedIn.headers[.location] == "/admin")
            let cookie = try #require(signedIn.setCookie(ConsoleSession.cookieName))
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/admin"] { #expect(cookie.contains(attribute), "\(cookie)") }
            #expect(!cookie.contains("Secure"))
            let dashboard = try await visitor.get("/admin")
            #expect(dashboard.status == .ok && dashboard.body.contains(#"id="today-count""#))
            #expect(dashboard.body.contains("Signed in as \(TestAdmin.username)."), "the flash, shown once")
            #expect(!(try await visitor.get("/admin")).body.contains("Signed in as"))
            for path in ["/admin/products", "/admin/products/new", "/admin/orders", "/admin/users", "/admin/webhooks",
                         "/admin/users/\(admin.adminUserID)"] {
                let page = try await visitor.get(path)
                #expect(page.status == .ok, "\(path): \(page.body)")
                #expect(page.headers[.contentSecurityPolicy] == Self.policy, "\(path)")
                #expect(!page.body.contains("<script>") && !page.body.contains("style="), "\(path): nothing inline")
            }
        }
    }

    @Test func aWrongPasswordIsAnsweredAsTheAPIAnswersIt() async throws {
        try await withApp { admin in
            var visitor = ConsoleVisitor(admin)
            let refused = try await visitor.signIn(TestAdmin.username, "not the password")
            #expect(refused.status == .unauthorized)
            #expect(refused.body.contains("Wrong username or password."))
            #expect(refused.setCookie(ConsoleSession.cookieName) == nil)
            let empty = try await visitor.post("/admin/sign-in", [("username", ""), ("password", "")])
            #expect(empty.status == .badRequest && empty.body.contains(#"id="username-error""#))
        }
    }

    @Test func customersAreRefusedAndKeepNoConsoleSession() async throws {
        try await withApp { admin in
            let registered = try await admin.anonymous.post("/auth/register", AuthTests.registration("carol"))
            let token = try #require(registered.json["token"].string)
            var visitor = ConsoleVisitor(admin)
            let refused = try await visitor.signIn("carol", "correct horse battery")
            #expect(refused.status == .forbidden && refused.headers[.contentType] == "text/html; charset=utf-8")
            #expect(refused.setCookie(ConsoleSession.cookieName) == nil)
            // A customer's token in the cookie opens nothing either.
            visitor.cookies[ConsoleSession.cookieName] = token
            let page = try await visitor.get("/admin")
            #expect(page.status == .forbidden && page.body.contains("<h1>Forbidden</h1>"))
            #expect(page.headers[.contentSecurityPolicy] == Self.policy)
        }
    }

    @Test func aFormWithoutThisSessionsCSRFTokenChangesNothing() async throws {
        try await withApp { admin in
            var visitor = ConsoleVisitor(admin)
            try await visitor.signIn()
            var other = ConsoleVisitor(admin)
            try await other.signIn()
            _ = try await other.get("/admin/products/new")
            let othersToken = try #require(other.csrfToken)
            _ = try await visitor.get("/admin/products/new")
            let product = [("name", "Lamp"), ("price", "5.00"), ("quantity", "3")]
            #expect(try await visitor.post("/admin/products", product, csrf: false).status == .forbidden)
            #expect(try await visitor.post("/admin/products", product + [("csrf_token", othersToken)]).status == .forbidden)
            #expect(try await admin.list("/products").isEmpty)
            // The sign-in form's token is bound to its cookie too.
            var stranger = ConsoleVisitor(admin)
            let signIn = try await stranger.post("/admin/sign-in", [("username", TestAdmin.username), ("password", TestAdmin.password),
                                                                    ("csrf_token", "chosen-by-another-site")])
            #expect(signIn.status == .forbidden && signIn.setCookie(ConsoleSession.cookieName) == nil)
            // With the session's own token it works.
            _ = try await visitor.get("/admin/products/new")
            #expect(try await visitor.post("/admin/products", product).status == .seeOther)
            #expect(try await admin.list("/products").count == 1)
        }
    }

    @Test func aRefusedProductShowsTheAPIsMessageBesideTheFieldAndKeepsWhatWasTyped() async throws {
        try await withApp { admin in
            let api = try await admin.post("/products", #"{"name": "Lamp", "price": "abc", "quantity": 3}"#)
            let message = try #require(api.json["details"]["price"][0].string)
            var visitor = ConsoleVisitor(admin)
            try await visitor.signIn()
            _ = try await visitor.get("/admin/products/new")
            let refused = try await visitor.post("/admin/products", [("name", "Lamp"), ("price", "abc"), ("quantity", "3")])
            #expect(refused.status == .badRequest)
            #expect(refused.body.contains(#"<p class="field-error" id="price-error">This price \#(message).</p>"#), "\(refused.body)")
            #expect(refused.body.contains(#"aria-describedby="price-error""#) && refused.body.contains(#"value="Lamp""#))
            #expect(try await admin.list("/products").isEmpty)
            let created = try await visitor.post("/admin/products", [("name", "Lamp"), ("price", "12.50"), ("quantity", "3")])
            let location = try #require(created.headers[.location])
            let page = try await visitor.get(location)
            #expect(page.body.contains("Product Lamp created.") && page.body.contains("12.50 USD"))
        }
    }

    @Test func everyValueIsEscaped() async throws {
        try await withApp { admin in
            let name = #"<script>alert("x")</script> & 'quoted'"#
            let id = try await admin.createProduct(name: #"<script>alert(\"x\")</script> & 'quoted'"#)
            var visitor = ConsoleVisitor(admin)
            try await visitor.signIn()
            for path in ["/admin/products", "/admin/products/\(id)", "/admin/products?q=%3Cscript%3E"] {
                let page = try await visitor.get(path)
                #expect(!page.body.contains(name) && !page.body.contains("<script>alert"), "\(path)")
                #expect(page.body.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;"), "\(path)")
            }
        }
    }

    @Test func stockChangesGoThroughTheLedgerAndAStaleFormShowsTheConflict() async throws {
        try await withApp { admin in
            let id = try await admin.createProduct(quantity: 10)
            var visitor = ConsoleVisitor(admin)
            try await visitor.signIn()
            _ = try await visitor.get("/admin/products/\(id)")
            let adjusted = try await visitor.post("/admin/products/\(id)/stock/adjustments", [("delta", "-3"), ("reason", "breakage")])
            #expect(adjusted.status == .seeOther)
            let page = try await visitor.get("/admin/products/\(id)")
            #expect(page.body.contains("Stock adjusted by -3; it is now 7.") && page.body.contains("breakage"))
            // The set-stock form still says 10 (drawn before the API changed it); the change is refused.
            _ = try await admin.post("/products/\(id)/stock/adjustments", #"{"delta": 1}"#)
            let stale = try await visitor.post("/admin/products/\(id)/stock", [("quantity", "50"), ("expected_quantity", "7")])
            #expect(stale.status == .preconditionFailed)
            #expect(stale.body.contains(#"class="flash flash-error""#) && stale.body.contains("The stock is 8"))
            #expect(try await admin.stock(of: id) == 8)
        }
    }

    @Test func aPaymentFormSentTwiceIsRecordedOnce() async throws {
        try await withApp { admin in
            let user = try await admin.createUser()
            let product = try await admin.createProduct(price: "4.00", quantity: 5)
            let order = try #require(try await admin.placeOrder(userID: user, items: [(product, 2)]).json["id"].int)
            var visitor = ConsoleVisitor(admin)
            try await visitor.signIn()
            _ = try await visitor.get("/admin/orders/\(order)")
            let key = try #require(visitor.hidden("idempotency_key"))
            let payment = [("amount", "8.00"), ("method", "cash"), ("idempotency_key", key)]
            #expect(try await visitor.post("/admin/orders/\(order)/payments", payment).status == .seeOther)
            #expect(try await visitor.post("/admin/orders/\(order)/payments", payment).status == .seeOther)
            #expect(try await visitor.get("/admin/orders/\(order)").body.contains("That payment was already recorded."))
            #expect(try await admin.get("/orders/\(order)/payments").json.array.count == 1)
            #expect(try await admin.get("/orders/\(order)").json["payment_status"].string == "paid")
        }
    }

    @Test func theDashboardCountsTodaysOrdersAndWhatWaits() async throws {
        try await withApp { admin in
            let user = try await admin.createUser()
            let product = try await admin.createProduct(name: "Kettle", price: "2.50", quantity: 6)
            let kept = try #require(try await admin.placeOrder(userID: user, items: [(product, 2)]).json["id"].int)
            let cancelled = try #require(try await admin.placeOrder(userID: user, items: [(product, 1)]).json["id"].int)
            #expect(try await admin.delete("/orders/\(cancelled)").status == .ok)
            var visitor = ConsoleVisitor(admin)
            try await visitor.signIn()
            let dashboard = try await visitor.get("/admin")
            #expect(dashboard.body.contains(#"<span id="today-count" class="figure">1</span>"#))
            #expect(dashboard.body.contains(#"<span id="today-revenue" class="figure">5.00 USD</span>"#))
            #expect(dashboard.body.contains(#"<span id="awaiting-payment" class="figure">1</span>"#))
            #expect(dashboard.body.contains(#"<a href="/admin/orders/\#(kept)">#\#(kept)</a>"#))
            #expect(dashboard.body.contains("Kettle"), "4 left is below the low-stock threshold of 5")
        }
    }

    @Test func errorsUnderAdminArePagesWhileTheAPIsStayJSON() async throws {
        try await withApp { admin in
            var visitor = ConsoleVisitor(admin)
            try await visitor.signIn()
            let missing = try await visitor.get("/admin/no-such-page")
            #expect(missing.status == .notFound && missing.headers[.contentType] == "text/html; charset=utf-8")
            #expect(missing.headers[.contentSecurityPolicy] == Self.policy && missing.body.contains(#"class="error-reason""#))
            #expect(try await visitor.get("/admin/products/999").status == .notFound)
            let wrongMethod = try await visitor.send(.delete, "/admin/products", body: nil)
            #expect(wrongMethod.status == .methodNotAllowed && wrongMethod.headers[.contentType] == "text/html; charset=utf-8")
            let api = try await admin.get("/no-such-route")
            #expect(api.status == .notFound && api.json["error"] == .bool(true))
        }
    }

    @Test func signingOutEndsTheSessionsToken() async throws {
        try await withApp { admin in
            var visitor = ConsoleVisitor(admin)
            try await visitor.signIn()
            let token = try #require(visitor.cookies[ConsoleSession.cookieName])
            _ = try await visitor.get("/admin")
            let signedOut = try await visitor.post("/admin/sign-out", [])
            #expect(signedOut.status == .seeOther && signedOut.headers[.location] == "/admin/sign-in")
            #expect(visitor.cookies[ConsoleSession.cookieName] == nil)
            #expect(try await admin.as(token).get("/auth/me").status == .unauthorized)
            visitor.cookies[ConsoleSession.cookieName] = token
            #expect(try await visitor.get("/admin").status == .seeOther)
        }
    }

    @Test func cookiesAreSecureWhenConfiguredOrWhenATrustedProxySaysHTTPS() async throws {
        try await withApp(configure: { $0.cookieSecure = true }) { admin in
            var visitor = ConsoleVisitor(admin)
            let cookie = try await visitor.signIn().setCookie(ConsoleSession.cookieName)
            #expect(cookie?.contains("Secure") == true)
        }
        try await withApp(.live, configure: { $0.trustedProxies = [IPRange("127.0.0.1")!, IPRange("::1")!] }) { admin in
            var direct = ConsoleVisitor(admin)
            let plain = try await direct.signIn().setCookie(ConsoleSession.cookieName)
            #expect(plain?.contains("Secure") == false)
            var proxied = ConsoleVisitor(admin)
            proxied.extraHeaders = [.xForwardedProto: "https"]
            let secure = try await proxied.signIn().setCookie(ConsoleSession.cookieName)
            #expect(secure?.contains("Secure") == true)
        }
    }
}
