import Dates
import Foundation
import Postgres
import Testing
import TestSupport

@Suite("libpq types round trip")
struct TypeRoundTripTests {
    @Test("text, including Uzbek apostrophes, Cyrillic and control characters")
    func text() async throws {
        let database = try await TestDatabase.make()
        let samples = ["O‘zbekiston", "G‘ayrat Ma’rufov", "Дилноза Каримова", "tab\there", "line\nbreak", "back\\slash", "", "😀"]
        for sample in samples {
            let echoed = try await database.pool.withConnection {
                try $0.query("SELECT $1::text, length($1::text)", [sample]).first!.decode(0, as: String.self)
            }
            #expect(echoed == sample)
        }
    }

    @Test("integers at their limits")
    func integers() async throws {
        let database = try await TestDatabase.make()
        let values: [Int64] = [0, -1, Int64.max, Int64.min, 9_007_199_254_740_993]
        for value in values {
            let echoed = try await database.pool.withConnection {
                try $0.query("SELECT $1::bigint", [value]).first!.decode(0, as: Int64.self)
            }
            #expect(echoed == value)
        }
        let small = try await database.pool.withConnection { try $0.query("SELECT 2147483647::int").first!.decode(0, as: Int32.self) }
        #expect(small == Int32.max)
    }

    @Test("numeric keeps every digit, never through Double")
    func numeric() async throws {
        let database = try await TestDatabase.make()
        let texts = ["12345678901234567890", "12345678901234567890.12", "-0.01", "0.10", "945595.97", "99999999999999999.99"]
        for text in texts {
            let decimal = Decimal(string: text)!
            let (decoded, serverText) = try await database.pool.withConnection { connection in
                let row = try connection.query("SELECT $1::numeric, ($1::numeric)::text", [decimal]).first!
                return (try row.decode(0, as: Decimal.self), try row.decode(1, as: String.self))
            }
            #expect(decoded == decimal)
            // The server received the exact digits (trailing zeros aside).
            #expect(Decimal(string: serverText) == decimal)
        }
        // Arithmetic stays exact in the database and back: 0.1 + 0.2 is exactly 0.3.
        let sum = try await database.pool.withConnection {
            try $0.query("SELECT $1::numeric + $2::numeric", [Decimal(string: "0.1")!, Decimal(string: "0.2")!]).first!.decode(0, as: Decimal.self)
        }
        #expect(sum == Decimal(string: "0.3")!)
    }

    @Test("bool, date, timestamptz, uuid, jsonb and NULL")
    func otherTypes() async throws {
        let database = try await TestDatabase.make()
        let date = LocalDate("2024-02-29")!
        let instant = Date(timeIntervalSince1970: 1_764_161_419.123456)
        let uuid = UUID()
        let row = try await database.pool.withConnection { connection in
            let row = try connection.query(
                "SELECT $1::bool, $2::date, $3::timestamptz, $4::uuid, $5::jsonb, $6::text, $2::date + 1",
                [true, date, instant, uuid, PostgresJSONText(#"{"name": "Navbahor", "n": [1, 2]}"#), nil]
            ).first!
            return (try row.decode(0, as: Bool.self), try row.decode(1, as: LocalDate.self), try row.decode(2, as: Date.self),
                    try row.decode(3, as: UUID.self), try row.decode(4, as: String.self), try row.decode(5, as: String?.self),
                    try row.decode(6, as: LocalDate.self))
        }
        #expect(row.0 == true)
        #expect(row.1 == date)
        #expect(abs(row.2.timeIntervalSince(instant)) < 0.000_001)
        #expect(row.3 == uuid)
        #expect(row.4 == #"{"n": [1, 2], "name": "Navbahor"}"#)
        #expect(row.5 == nil)
        #expect(row.6 == LocalDate("2024-03-01")!)
    }

    @Test("a value that does not fit the asked type is a decoding error, not a crash")
    func decodingError() async throws {
        let database = try await TestDatabase.make()
        await #expect {
            try await database.pool.withConnection { try $0.query("SELECT 'abc'").first!.decode(0, as: Int.self) }
        } throws: { ($0 as? PostgresError)?.kind == .decoding }
        await #expect {
            try await database.pool.withConnection { try $0.query("SELECT NULL::int").first!.decode(0, as: Int.self) }
        } throws: { ($0 as? PostgresError)?.kind == .decoding }
    }

    @Test("parameters are never pasted into SQL")
    func injection() async throws {
        let database = try await TestDatabase.make()
        let hostile = "x'); DROP TABLE organizations; --"
        let echoed = try await database.pool.withConnection { connection in
            try connection.query("SELECT $1::text", [hostile]).first!.decode(0, as: String.self)
        }
        #expect(echoed == hostile)
        let stillThere = try await database.pool.withConnection {
            try $0.query("SELECT to_regclass('organizations') IS NOT NULL").first!.decode(0, as: Bool.self)
        }
        #expect(stillThere)
    }
}
