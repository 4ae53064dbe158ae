/// Lowercase hexadecimal, two digits per byte, by table (`String(format:)` per byte was a quarter of
/// a signed-in request's time).
enum Hex {
    static let digits = Array("0123456789abcdef".utf8)

    static func string<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var hex: [UInt8] = []
        hex.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}

extension Hex {
    /// Two 64-bit numbers in 32 hex digits, most significant first, written straight into the string.
    static func string(of high: UInt64, _ low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 32) { buffer in
            for digit in 0..<16 {
                let shift = UInt64(60 - 4 * digit)
                buffer[digit] = digits[Int((high >> shift) & 0x0F)]
                buffer[16 + digit] = digits[Int((low >> shift) & 0x0F)]
            }
            return 32
        }
    }

    /// 128 random bits in 32 hex digits: placement tokens, console sign-in tokens and form keys.
    static func random128() -> String {
        var random = SystemRandomNumberGenerator()
        return string(of: random.next(), random.next())
    }
}
