import Foundation
import Logging
import Postgres
import RavnaqCore
import Testing
import TestSupport

@Suite("Idempotency keys forgotten after their days, in small batches (issue 18)")
struct IdempotencyKeySweeperTests {
    static func keys(_ database: Database) async throws -> [String] {
        try await database.pool.withConnection { connection in
            try connection.query("SELECT key FROM idempotency_keys ORDER BY key").rows.map { try $0.decode(0, as: String.self) }
        }
    }

    @Test("keys older than the days are deleted a batch at a time, across organizations; younger ones stay")
    func sweep() async throws {
        let fixture = try await CoreFixture.make()
        let other = try await Organizations(database: fixture.database).add(code: "FA", name: "Farg‘ona", operatorName: "cli:test")
        // Five keys 31 to 35 days old (one of another organization), one 29 days old, one new.
        try await fixture.database.pool.withConnection { connection in
            for (index, days) in [31, 32, 33, 34, 35, 29, 0].enumerated() {
                let organization = index == 4 ? other.id : fixture.admin.organizationID
                try connection.query(
                    """
                    INSERT INTO idempotency_keys (organization_id, operation, resource, key, request, response, created_at)
                    VALUES ($1, 'repayment', 'loan', $2, '{}', '{}', now() - make_interval(days => $3))
                    """, [organization, "key-\(days)", days])
            }
        }
        var settings = IdempotencyKeySweeper.Settings(keepDays: 30)
        settings.batch = 2
        let sweeper = IdempotencyKeySweeper(database: fixture.database, settings: settings, logger: Logger(label: "sweep"))
        // 2 + 2 + 1: the short third batch ends the sweep.
        #expect(try await sweeper.sweep() == .init(deleted: 5, batches: 3))
        #expect(try await Self.keys(fixture.database) == ["key-0", "key-29"])
        #expect(try await sweeper.sweep() == .init(deleted: 0, batches: 1))

        // With 1 day kept, the 29-day key goes too.
        let shorter = IdempotencyKeySweeper(database: fixture.database, settings: .init(keepDays: 1), logger: Logger(label: "sweep"))
        #expect(try await shorter.sweep().deleted == 1)
        #expect(try await Self.keys(fixture.database) == ["key-0"])
    }
}
