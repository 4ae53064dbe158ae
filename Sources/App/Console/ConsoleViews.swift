import Foundation

/// The shop's records as the console's templates show them: money with its currency, times in UTC,
/// nothing missing left as a gap for Mustache to fill from an outer context.
extension ConsolePages {
    func view(_ product: Product) -> [String: Any] {
        ["id": product.id, "name": product.name, "sku": product.sku ?? "", "description": product.description ?? "",
         "price": money(product.price), "quantity": product.quantity]
    }

    func view(_ order: Order) -> [String: Any] {
        ["id": order.id, "userID": order.userID, "createdAt": Self.time(order.createdAt), "total": money(order.totalPrice),
         "status": order.status.rawValue, "paymentStatus": order.paymentStatus.rawValue,
         "fulfillmentStatus": order.fulfillmentStatus.rawValue, "amountPaid": money(order.amountPaid),
         "amountRefunded": money(order.amountRefunded), "isPlaced": order.status == .placed,
         "lines": order.lines.map { line in
             ["productID": line.productID, "name": line.name, "quantity": line.quantity,
              "unitPrice": money(line.unitPrice), "lineTotal": money(line.lineTotal)] as [String: Any]
         }]
    }

    func view(_ movement: StockMovement) -> [String: Any] {
        var view: [String: Any] = ["createdAt": Self.time(movement.createdAt), "kind": movement.kind.rawValue,
                                   "delta": movement.delta > 0 ? "+\(movement.delta)" : "\(movement.delta)",
                                   "quantityAfter": movement.quantityAfter, "reason": movement.reason ?? ""]
        if let orderID = movement.orderID { view["orderID"] = orderID }
        return view
    }

    func view(_ user: User) -> [String: Any] {
        ["id": user.id, "name": user.name, "email": user.email, "phone": user.phone, "createdAt": Self.time(user.createdAt)]
    }
}
