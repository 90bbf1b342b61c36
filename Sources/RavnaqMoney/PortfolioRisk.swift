import Foundation

/// Portfolio at risk (SPEC §4, §8): the share of outstanding principal sitting in late loans.
public enum PortfolioRisk {
    /// PAR`threshold` = outstanding principal of loans with DPD > `threshold`, divided by the
    /// outstanding principal of all the loans given (the caller passes the active loans as of the
    /// report date). The whole outstanding principal of a late loan counts, not only its late part.
    /// Nil when nothing is outstanding: a ratio with a zero denominator is null (SPEC §8).
    /// The quotient is a `Decimal` with 38 significant digits; reports print it as a JSON number.
    public static func par(outstandingByDPD loans: [(outstanding: Amount, dpd: Int)], threshold: Int) -> Decimal? {
        // Summed as Decimal (exact for integers this size) so a whole portfolio cannot overflow Int64.
        let total = loans.reduce(Decimal(0)) { $0 + Decimal($1.outstanding.minorUnits) }
        guard total != 0 else { return nil }
        let atRisk = loans.filter { $0.dpd > threshold }.reduce(Decimal(0)) { $0 + Decimal($1.outstanding.minorUnits) }
        return atRisk / total
    }
}
