/// The console's templates, stylesheet and script, compiled into the binary (Resources/console).
enum ConsoleTemplates {
    static let templates: [(name: String, text: [UInt8])] = [
        ("layout", PackageResources.layout_mustache),
        ("field", PackageResources.field_mustache),
        ("order-rows", PackageResources.order_rows_mustache),
        ("error", PackageResources.error_mustache),
        ("sign-in", PackageResources.sign_in_mustache),
        ("dashboard", PackageResources.dashboard_mustache),
        ("products", PackageResources.products_mustache),
        ("product-new", PackageResources.product_new_mustache),
        ("product", PackageResources.product_mustache),
        ("product-delete", PackageResources.product_delete_mustache),
        ("orders", PackageResources.orders_mustache),
        ("order", PackageResources.order_mustache),
        ("users", PackageResources.users_mustache),
        ("user", PackageResources.user_mustache),
        ("webhooks", PackageResources.webhooks_mustache),
    ]

    static let stylesheet = PackageResources.console_css
    static let script = PackageResources.console_js
}
