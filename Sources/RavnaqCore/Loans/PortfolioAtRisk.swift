import Dates
import Foundation
import Postgres

/// PAR30 and PAR90 as of a date (SPEC §4): the outstanding principal of active loans more than
/// 30 (90) days past due, over the outstanding principal of all active loans — the whole
/// outstanding of a late loan counts. One line per currency with active loans (a currency
/// with none has no line, so no ratio ever divides by zero). The ratio is `portfolio_at_risk()`,
/// the portfolio report's own (rounded half-up to 6 decimals).
public struct PortfolioAtRisk: Encodable, Sendable {
    public struct Line: Encodable, Sendable {
        public let currency: String
        public let loans_active: Int
        public let outstanding_principal: String
        public let at_risk_30: String
        public let at_risk_90: String
        public let par30: Decimal
        public let par90: Decimal
    }

    public let as_of: String
    public let currencies: [Line]
}

extension Loans {
    public func portfolioAtRisk(asOf: String?, as actor: Actor) async throws -> PortfolioAtRisk {
        try actor.require(.admin, .coordinator, .grantOfficer, to: "read the portfolio at risk")
        let date = try FieldErrors.asOf(asOf)
        return try await database.transaction(as: actor) { connection in
            let asOf = try date ?? Organizations.today(connection, organizationID: actor.organizationID)
            let lines = try connection.query(
                """
                SELECT l.currency, count(*),
                       sum(f.outstanding_principal)::numeric(18,2)::text,
                       coalesce(sum(f.outstanding_principal) FILTER (WHERE f.days_past_due > 30), 0)::numeric(18,2)::text,
                       coalesce(sum(f.outstanding_principal) FILTER (WHERE f.days_past_due > 90), 0)::numeric(18,2)::text,
                       portfolio_at_risk(sum(f.outstanding_principal) FILTER (WHERE f.days_past_due > 30), sum(f.outstanding_principal))::text,
                       portfolio_at_risk(sum(f.outstanding_principal) FILTER (WHERE f.days_past_due > 90), sum(f.outstanding_principal))::text
                FROM loans l CROSS JOIN LATERAL loan_figures(l.id, $2) f
                WHERE l.organization_id = $1 AND f.outstanding_principal > 0
                GROUP BY l.currency ORDER BY l.currency
                """, [actor.organizationID, asOf]
            ).rows.map { row in
                PortfolioAtRisk.Line(
                    currency: try row.decode(0), loans_active: try row.decode(1), outstanding_principal: try row.decode(2),
                    at_risk_30: try row.decode(3), at_risk_90: try row.decode(4),
                    par30: try row.decode(5, as: Decimal?.self) ?? 0, par90: try row.decode(6, as: Decimal?.self) ?? 0)
            }
            return PortfolioAtRisk(as_of: asOf.description, currencies: lines)
        }
    }
}
