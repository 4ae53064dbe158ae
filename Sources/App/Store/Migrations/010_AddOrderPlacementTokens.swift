import SQLKit

/// A token per order placed by the PostgreSQL batch statement, unique, so an order whose batch's
/// reply was lost is found by it rather than placed a second time (`OrderService.place`).
struct AddOrderPlacementTokens: Migration {
    let name = "add_order_placement_tokens"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.alter(table: "orders")
            .column("placement_token", type: database.keyText(maxLength: PlacementToken.length))
            .run()
        // Unique but for NULL, which every database lets repeat: orders placed otherwise carry none.
        try await database.create(index: "orders_placement_token_key").unique().on("orders").column("placement_token").run()
    }

    func revert(on database: any SQLDatabase) async throws {
        let dropIndex = database.drop(index: "orders_placement_token_key")
        // MySQL names an index's table; the others refuse the ON.
        try await (database.dialect.name == "mysql" ? dropIndex.on("orders") : dropIndex).run()
        try await database.alter(table: "orders").dropColumn("placement_token").run()
    }
}
