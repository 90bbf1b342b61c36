import Foundation
import RavnaqCore

/// The reports behind the dashboard, kept for ten minutes. One dashboard is sixteen report
/// statements (twelve month-ends of the portfolio, grants, outcomes, training, and the filters'
/// choices); at 100 000 families each takes a few tenths of a second, so a dashboard worked out
/// afresh takes seconds, and the same dashboard again, from here, milliseconds (README
/// "Performance"). Reports are aggregates for the whole organization — the same for every role
/// that may read them — so the key is the organization and the query. The page says when its
/// figures were worked out.
actor ReportCache {
    static let lifetime: TimeInterval = 600

    struct Key: Hashable {
        let organization: UUID
        let query: String
    }

    private var entries: [Key: (at: Date, answer: JSONText)] = [:]

    static func key(_ query: ReportQuery, organization: UUID) -> Key {
        Key(organization: organization,
            query: "\(query.report.rawValue)|\(String(describing: query.asOf))|\(String(describing: query.from))|\(String(describing: query.to))|\(query.by.map(\.rawValue))")
    }

    /// Whether the answer to the query is kept, and still fresh.
    func holds(_ query: ReportQuery, organization: UUID) -> Bool {
        entries[Self.key(query, organization: organization)].map { Date().timeIntervalSince($0.at) < Self.lifetime } ?? false
    }

    func run(_ query: ReportQuery, as actor: Actor, reports: Reports) async throws -> (answer: JSONText, at: Date) {
        let key = Self.key(query, organization: actor.organizationID)
        let now = Date()
        if let entry = entries[key], now.timeIntervalSince(entry.at) < Self.lifetime { return (entry.answer, entry.at) }
        // The role check is the service's, on every call, cached or not (below: only after it).
        let answer = try await reports.run(query, as: actor)
        entries = entries.filter { now.timeIntervalSince($0.value.at) < Self.lifetime }
        entries[key] = (now, answer)
        return (answer, now)
    }
}
