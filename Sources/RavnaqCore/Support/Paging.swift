import Foundation
import Postgres

/// A page request (SPEC §9): `limit` (default 50, from 1 to 500) and the opaque cursor of the
/// previous page. The cursor is read here, but it is checked by the list that receives it
/// (`after(in:)`): it is valid only for the same list, organization and filters.
public struct Page: Sendable {
    public let limit: Int
    let cursor: Cursor?

    public static let defaultLimit = 50
    public static let maximumLimit = 500

    /// What a cursor carries: the sort keys of the previous page's last row, as text (handed back
    /// to PostgreSQL as typed parameters), and a fingerprint of the list and of those keys.
    struct Cursor: Sendable, Equatable {
        let fingerprint: String
        let keys: [String]
    }

    /// Parses the query parameters; a bad limit or a cursor that is no cursor at all is a 400
    /// naming the parameter (both in one answer).
    public init(limit: String?, cursor: String?) throws {
        var errors = FieldErrors()
        var parsedLimit = Self.defaultLimit
        if let limit {
            if let value = Int(limit), (1...Self.maximumLimit).contains(value) {
                parsedLimit = value
            } else {
                errors.add("/limit", "must be a whole number from 1 to \(Self.maximumLimit)")
            }
        }
        var decoded: Cursor?
        if let cursor {
            decoded = Self.decode(cursor)
            if decoded == nil { errors.add("/cursor", Self.foreignCursor) }
        }
        if !errors.errors.isEmpty { throw RavnaqError.badQuery(errors.errors) }
        self.limit = parsedLimit
        self.cursor = decoded
    }

    /// The first page (the CLI's and the services' own callers).
    public init(limit: Int = Page.defaultLimit) {
        self.limit = min(max(limit, 1), Self.maximumLimit)
        self.cursor = nil
    }

    /// The page after this one: the same limit, from a list's `next_cursor`.
    public func next(_ cursor: String) throws -> Page {
        try Page(limit: String(limit), cursor: cursor)
    }

    /// Where the previous page of `list` ended: its last row's sort keys, or nil for the first
    /// page. A cursor made by another list, for another organization or with other filters is a
    /// 400 naming `/cursor`.
    public func after(in list: ListKey) throws -> [String]? {
        guard let cursor else { return nil }
        guard cursor.keys.count == list.keys, cursor.fingerprint == list.fingerprint(cursor.keys) else {
            throw RavnaqError.badQuery([.init(pointer: "/cursor", detail: Self.foreignCursor)])
        }
        return cursor.keys
    }

    static let foreignCursor = "is not a cursor of this list with these filters"

    /// base64url (no padding) of the JSON array `[fingerprint, key…]`.
    static func encode(keys: [String], list: ListKey) -> String {
        // An array of strings always serializes.
        let data = try! JSONSerialization.data(withJSONObject: [list.fingerprint(keys)] + keys)
        return data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ cursor: String) -> Cursor? {
        guard !cursor.isEmpty, cursor.count <= 2048,
              cursor.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64),
              let parts = try? JSONSerialization.jsonObject(with: data) as? [String],
              parts.count >= 2 else { return nil }
        return Cursor(fingerprint: parts[0], keys: Array(parts.dropFirst()))
    }
}

/// The list a page belongs to: the endpoint (`/families/{id}/income`), the organization, the
/// filters the list was asked with, and how many sort keys its order has. A cursor carries a
/// fingerprint of all of them, so it opens no other list, organization or filter.
public struct ListKey: Sendable {
    let endpoint: String
    let organizationID: UUID
    let filters: [String]
    let keys: Int

    public init(_ endpoint: String, of actor: Actor, filters: [String] = [], keys: Int = 2) {
        self.endpoint = endpoint
        self.organizationID = actor.organizationID
        self.filters = filters
        self.keys = keys
    }

    /// A short, stable fingerprint (FNV-1a, 64 bits) of the list and of a cursor's keys: a cursor
    /// whose keys were changed no longer matches.
    func fingerprint(_ keys: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let parts = [endpoint, organizationID.idString] + filters + ["\u{1e}"] + keys
        for byte in parts.joined(separator: "\u{1f}").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0100_0000_01b3
        }
        return String(hash, radix: 36)
    }
}

/// An item of a list answer: JSON that PostgreSQL assembled, or a Swift value encoded as JSON.
public protocol ListItem: Sendable {
    func listJSON() throws -> String
}

extension JSONText: ListItem {
    public func listJSON() -> String { text }
}

extension ListItem where Self: Encodable {
    public func listJSON() throws -> String { String(decoding: try RavnaqJSON.encode(self), as: UTF8.self) }
}

/// One page of a list and the cursor of the next page (nil on the last page).
public struct Paged<Item: ListItem>: Sendable {
    public let items: [Item]
    public let nextCursor: String?

    /// A list on one page, or pages put together (the CLI prints whole lists).
    public init(items: [Item], nextCursor: String? = nil) {
        self.items = items
        self.nextCursor = nextCursor
    }

    /// From rows fetched with `LIMIT page.limit + 1` whose last `list.keys` columns are the row's
    /// sort keys as text; `item` reads the rest.
    init(rows: [PostgresRow], page: Page, list: ListKey, item: (PostgresRow) throws -> Item) throws {
        try self.init(fetched: try rows.prefix(page.limit).map(item), more: rows.count > page.limit, page: page, list: list) { index in
            let row = rows[index]
            return try ((row.columnCount - list.keys)..<row.columnCount).map { try row.decode($0, as: String.self) }
        }
    }

    /// From the items of a page (at most `page.limit`), whether more rows followed them, and the
    /// sort keys of the item at an index.
    init(fetched: [Item], more: Bool, page: Page, list: ListKey, keys: (Int) throws -> [String]) throws {
        items = Array(fetched.prefix(page.limit))
        nextCursor = more && !items.isEmpty ? Page.encode(keys: try keys(items.count - 1), list: list) : nil
    }

    /// `{"items":[…],"next_cursor":…}`, with `"next_cursor":null` on the last page.
    public func json() throws -> String {
        let cursor = nextCursor.map { "\"\($0)\"" } ?? "null"
        return "{\"items\":[" + (try items.map { try $0.listJSON() }).joined(separator: ",") + "],\"next_cursor\":" + cursor + "}"
    }

    /// Every page of a list (or the first `atMost` items), asked for one after the other from
    /// the first, as one page.
    public static func all(atMost: Int? = nil, _ fetch: (Page) async throws -> Paged<Item>) async throws -> Paged<Item> {
        var page = Page(limit: min(atMost ?? Page.maximumLimit, Page.maximumLimit))
        var items: [Item] = []
        while true {
            let answer = try await fetch(page)
            items += answer.items
            if let atMost, items.count >= atMost { return Paged(items: Array(items.prefix(atMost))) }
            guard let cursor = answer.nextCursor else { return Paged(items: items) }
            page = try page.next(cursor)
        }
    }
}

/// Lists whose items PostgreSQL builds as JSON: column 0 is the item.
public typealias ListPage = Paged<JSONText>

extension Paged where Item == JSONText {
    init(result: PostgresResult, page: Page, list: ListKey) throws {
        try self.init(rows: result.rows, page: page, list: list) { JSONText(try $0.decode(0)) }
    }
}
