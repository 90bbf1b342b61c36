import Foundation
import Postgres

/// A page request (SPEC §9): `limit` (default 50, at most 500) and an opaque cursor that is only
/// valid with the filters it was made with.
public struct Page: Sendable {
    /// Where the previous page ended: its last row's timestamp and id, as text (a UUID, or a
    /// bigint for the audit log), handed back to PostgreSQL as typed parameters.
    public struct Position: Sendable {
        public let createdAt: String
        public let id: String
    }

    public let limit: Int
    public let after: Position?

    public static let defaultLimit = 50
    public static let maximumLimit = 500

    /// Parses the query parameters; a bad limit or cursor is a 400-style invalid input.
    public init(limit: String?, cursor: String?, filters: [String]) throws {
        var errors = FieldErrors()
        var parsedLimit = Self.defaultLimit
        if let limit {
            if let value = Int(limit), (1...Self.maximumLimit).contains(value) {
                parsedLimit = value
            } else {
                errors.add("/limit", "must be a whole number from 1 to \(Self.maximumLimit)")
            }
        }
        var position: Position?
        if let cursor {
            if let decoded = Self.decode(cursor), decoded.filters == Self.fingerprint(filters) {
                position = decoded.position
            } else {
                errors.add("/cursor", "is not a cursor of this list with these filters")
            }
        }
        if !errors.errors.isEmpty { throw RavnaqError.badQuery(errors.errors) }
        self.limit = parsedLimit
        self.after = position
    }

    public init(limit: Int = Page.defaultLimit) {
        self.limit = limit
        self.after = nil
    }

    static func encode(_ position: Position, filters: [String]) -> String {
        let raw = "\(position.createdAt)|\(position.id)|\(fingerprint(filters))"
        return Data(raw.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ cursor: String) -> (position: Position, filters: String)? {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[1].isEmpty else { return nil }
        return (Position(createdAt: String(parts[0]), id: String(parts[1])), String(parts[2]))
    }

    /// A short, stable fingerprint of the filters (FNV-1a), so a cursor cannot be reused with others.
    static func fingerprint(_ filters: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in filters.joined(separator: "\u{1f}").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0100_0000_01b3
        }
        return String(hash, radix: 36)
    }
}

/// One page of a list: items as JSON from PostgreSQL and the cursor of the next page.
public struct ListPage: Sendable {
    public let items: [JSONText]
    public let nextCursor: String?

    /// From rows of (item JSON, created_at, id), fetched with `LIMIT limit + 1`.
    init(result: PostgresResult, limit: Int, filters: [String]) throws {
        let rows = result.rows
        items = try rows.prefix(limit).map { JSONText(try $0.decode(0)) }
        if rows.count > limit, let last = rows.prefix(limit).last {
            nextCursor = Page.encode(.init(createdAt: try last.decode(1), id: try last.decode(2)), filters: filters)
        } else {
            nextCursor = nil
        }
    }

    /// A whole list on one page (lists that are short by nature: a family's months, the
    /// poverty line).
    public init(items: [JSONText]) {
        self.items = items
        self.nextCursor = nil
    }

    /// `{"items":[…],"next_cursor":…}`.
    public var json: String {
        let cursor = nextCursor.map { "\"\($0)\"" } ?? "null"
        return "{\"items\":[" + items.map(\.text).joined(separator: ",") + "],\"next_cursor\":" + cursor + "}"
    }
}
