import JSONSupport
import Foundation

/// The service's contract: the OpenAPI 3.1 document in `Resources/openapi.json`, compiled into the
/// binary (`embedInCode`), so what is served is exactly what the repository holds.
public enum APIDocument {
    /// The document byte for byte, as `GET /openapi.json` serves it.
    public static let bytes: [UInt8] = PackageResources.openapi_json

    /// The document parsed; it fails only if the file in the repository is not JSON, which the
    /// contract tests would report first.
    public static func parsed() throws -> JSONValue {
        try JSONValue(parsing: bytes)
    }
}

extension JSONValue {
    /// The value a local JSON pointer (`#/components/schemas/Order`) names in this document, or null.
    public func resolving(pointer: String) -> JSONValue {
        guard pointer.hasPrefix("#/") else { return .null }
        return pointer.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false).reduce(self) { value, token in
            value[token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")]
        }
    }
}
