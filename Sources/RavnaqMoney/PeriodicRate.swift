import Foundation

/// The periodic rate r = annual % ÷ 100 ÷ periods per year as an exact fraction of integers,
/// and the two roundings the schedule needs, both exact and half-up.
///
/// The annual rate arrives as a `Decimal` with at most 6 decimals (checked by validation), so
/// r = (annual·10^6) ÷ (100·periods·10^6) exactly; the fraction is reduced (24 % monthly is 1/50).
/// Dividing first and rounding the quotient, as a `Decimal` would, turns 25 % ÷ 1200 into
/// 0.0208333… and can push an exact half-tiyin to the wrong side; here nothing is ever cut off.
struct PeriodicRate {
    let numerator: UInt64
    let denominator: UInt64

    init(annualPercent: Decimal, frequency: Frequency) {
        self.init(percent: annualPercent, dividedBy: frequency.periodsPerYear)
    }

    /// percent ÷ 100 ÷ `periods`, for a percent with at most 6 decimals (a late fee's
    /// percentage is one period's: `dividedBy: 1`).
    init(percent: Decimal, dividedBy periods: Int = 1) {
        let scale = 1_000_000
        var scaled = percent * Decimal(scale)
        var whole = Decimal()
        NSDecimalRound(&whole, &scaled, 0, .plain)
        let top = UInt64(max(0, NSDecimalNumber(decimal: whole).int64Value))
        let bottom = UInt64(100 * periods * scale)
        let divisor = PeriodicRate.gcd(top, bottom)
        numerator = top / divisor
        denominator = bottom / divisor
    }

    var isZero: Bool { numerator == 0 }

    /// round(amount · r) in minor units, for 0 ≤ amount ≤ 10^15 (validation bounds the principal).
    func interest(on amount: Int64) -> Int64 {
        let product = UInt64(amount).multipliedFullWidth(by: numerator)
        let (quotient, remainder) = denominator.dividingFullWidth(product)
        return Int64(quotient) + (remainder >= denominator - remainder ? 1 : 0)
    }

    /// A = round(P·r ÷ (1 − (1+r)^−m)), exactly.
    ///
    /// With r = a/b the payment is the fraction N ÷ D with N = P·a·(a+b)^m and
    /// D = b·((a+b)^m − b^m); half-up rounding of N ÷ D is the largest k with (2k − 1)·D ≤ 2N,
    /// found by bisection between 0 and 2P + 2 (A ≤ P·(1 + r) < 2P since r < 1 per period).
    /// (a+b)^m has at most about 20 000 bits (600 periods, 6-decimal rates); bisection needs about
    /// 50 multiplications of it by a word, so this costs well under a millisecond.
    func annuityPayment(principal: Int64, periods: Int) -> Int64 {
        var grown = WideUInt(1)
        var kept = WideUInt(1)
        for _ in 0..<periods {
            grown.multiply(by: numerator + denominator)
            kept.multiply(by: denominator)
        }
        let twiceN = grown.multiplied(by: UInt64(principal)).multiplied(by: numerator).multiplied(by: 2)
        let d = (grown - kept).multiplied(by: denominator)
        var low: UInt64 = 0  // (2·0 − 1)·D ≤ 2N always holds
        var high = 2 * UInt64(principal) + 2  // never holds
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if d.multiplied(by: 2 * middle - 1) <= twiceN {
                low = middle
            } else {
                high = middle
            }
        }
        return Int64(low)
    }

    private static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}
