/// A minimal arbitrary-size unsigned integer: just what the exact annuity needs (multiply by a
/// 64-bit word, subtract, compare).
///
/// Why it exists: `Foundation.Decimal` multiplication keeps only about 20 correct digits along a
/// long chain (measured against exact fractions: 600 monthly periods at 1e15 minor units were off
/// by 6e-9 of a minor unit), which could move a value sitting on a half to the wrong side. With
/// integers the annuity is exact, so half-up is half-up.
struct WideUInt: Comparable {
    /// Little-endian 64-bit words, no trailing zero words (zero is `[]`).
    private(set) var words: [UInt64]

    init(_ value: UInt64) {
        words = value == 0 ? [] : [value]
    }

    mutating func multiply(by factor: UInt64) {
        guard factor != 0 else { words = []; return }
        var carry: UInt64 = 0
        for i in words.indices {
            let (high, low) = words[i].multipliedFullWidth(by: factor)
            let (sum, overflow) = low.addingReportingOverflow(carry)
            words[i] = sum
            carry = high &+ (overflow ? 1 : 0)
        }
        if carry != 0 { words.append(carry) }
    }

    func multiplied(by factor: UInt64) -> WideUInt {
        var result = self
        result.multiply(by: factor)
        return result
    }

    /// `lhs - rhs`; the caller guarantees `lhs >= rhs`.
    static func - (lhs: WideUInt, rhs: WideUInt) -> WideUInt {
        precondition(lhs >= rhs, "WideUInt subtraction would go below zero")
        var result = lhs
        var borrow = false
        for i in result.words.indices {
            let subtrahend = i < rhs.words.count ? rhs.words[i] : 0
            let (partial, overflow1) = result.words[i].subtractingReportingOverflow(subtrahend)
            let (difference, overflow2) = partial.subtractingReportingOverflow(borrow ? 1 : 0)
            result.words[i] = difference
            borrow = overflow1 || overflow2
        }
        while result.words.last == 0 { result.words.removeLast() }
        return result
    }

    static func < (lhs: WideUInt, rhs: WideUInt) -> Bool {
        if lhs.words.count != rhs.words.count { return lhs.words.count < rhs.words.count }
        for i in lhs.words.indices.reversed() where lhs.words[i] != rhs.words[i] {
            return lhs.words[i] < rhs.words[i]
        }
        return false
    }
}
