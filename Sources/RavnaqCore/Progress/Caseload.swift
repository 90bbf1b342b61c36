import Foundation
import Postgres

/// A mentor's caseload as the web app's "My families" lists it (issue 14): every family assigned
/// to them today, the next visit due first — a family never visited since its assignment is due
/// from the assignment's first day — with how many days a visit is overdue and the worst days
/// past due of its loans.
public struct CaseloadItem: Sendable, Equatable {
    public let familyID: UUID
    public let code: String
    public let head: String?
    public let district: String
    public let mahalla: String?
    public let status: String
    public let lastVisitOn: String?
    public let dueOn: String
    /// Days since the visit fell due; 0 or less when it is not overdue.
    public let daysOverdue: Int
    public let maxDaysPastDue: Int?
}

extension CaseManagement {
    public func caseload(as actor: Actor) async throws -> [CaseloadItem] {
        try actor.require(.mentor, to: "have a caseload")
        return try await database.transaction(as: actor) { connection in
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            return try connection.query(Self.caseloadSQL, [actor.organizationID, actor.userID, today]).rows.map {
                CaseloadItem(familyID: try $0.decode(0), code: try $0.decode(1), head: try $0.decode(2, as: String?.self), district: try $0.decode(3),
                             mahalla: try $0.decode(4, as: String?.self), status: try $0.decode(5), lastVisitOn: try $0.decode(6, as: String?.self), dueOn: try $0.decode(7),
                             daysOverdue: try $0.decode(8), maxDaysPastDue: try $0.decode(9, as: Int?.self))
            }
        }
    }

    static let caseloadSQL = """
        SELECT f.id, f.code,
               (SELECT h.full_name FROM members h WHERE h.family_id = f.id AND h.relation = 'head' ORDER BY h.created_at, h.id LIMIT 1),
               f.district, f.mahalla, f.status, last.visited_on::text, coalesce(since.next_visit_on, a.from_on)::text,
               $3::date - coalesce(since.next_visit_on, a.from_on),
               (SELECT max(fig.days_past_due) FROM projects p JOIN loans l ON l.project_id = p.id CROSS JOIN LATERAL loan_figures(l.id, $3) fig
                WHERE p.family_id = f.id)
        FROM mentor_assignments a
        JOIN families f ON f.id = a.family_id
        \(visitsOfAssignment)
        WHERE a.organization_id = $1 AND a.mentor_id = $2 AND a.from_on <= $3 AND (a.to_on IS NULL OR a.to_on > $3)
        ORDER BY coalesce(since.next_visit_on, a.from_on), f.code
        """
}
