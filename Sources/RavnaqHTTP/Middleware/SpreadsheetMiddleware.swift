import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RavnaqCore
import Synchronization

/// `?format=csv|xlsx` on every list and report (issue 15), in one place: the route answers its
/// JSON as always, and this turns it into a spreadsheet (`AnswerSheets`). A list is gathered
/// from all its pages (500 items each), so the file holds the whole list, not the first page; a
/// report's XLSX has one sheet per currency when amounts of several appear. `?sep=;` picks the
/// CSV separator. Other answers (a case file, a loan) have no spreadsheet form: a 400 says so.
/// Exports stream their own files and are left alone.
struct SpreadsheetMiddleware: RouterMiddleware {
    typealias Context = RavnaqRequestContext

    /// A list this long is more than a spreadsheet is for; an export is the tool then.
    static let maximumItems = 200_000

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let query = request.uri.queryParameters
        guard request.method == .get, query["format"] != nil || query["sep"] != nil,
              !request.uri.path.hasPrefix("/api/v1/exports/") else {
            return try await next(request, context)
        }
        // Both are checked whenever sent (a wrong `sep` is a 400 even for JSON).
        guard let format = try SpreadsheetQuery.format(request, default: "json") else { return try await next(request, context) }
        var pageRequest = request
        var items: [[String: Any]] = []
        var keys: [String] = []
        while true {
            let response = try await next(pageRequest, context)
            guard response.status == .ok else { return response }
            let body = try await Self.collect(response)
            guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                throw Self.noSpreadsheet(request)
            }
            let name = Self.fileName(request.uri.path)
            if object["rows"] != nil, object["total"] != nil {
                let sheets = try AnswerSheets.report(body, sheetPerCurrency: format == .xlsx)
                return Self.file(AnswerSheets.write(sheets, format: format), format: format, name: name)
            }
            guard let page = object["items"] as? [[String: Any]] else { throw Self.noSpreadsheet(request) }
            if keys.isEmpty { keys = JSONKeyOrder.keys(of: body, rows: "items") }
            items += page
            guard let cursor = object["next_cursor"] as? String, items.count < Self.maximumItems else {
                let sheets = AnswerSheets.list(items, keys: keys, name: name)
                return Self.file(AnswerSheets.write(sheets, format: format), format: format, name: name)
            }
            pageRequest = Self.request(request, cursor: cursor)
        }
    }

    /// The same request for the next page: its cursor, and pages of 500.
    static func request(_ request: Request, cursor: String) -> Request {
        var components = URLComponents()
        components.path = request.uri.path
        var query = request.uri.queryParameters.filter { $0.key != "cursor" && $0.key != "limit" }.map {
            URLQueryItem(name: String($0.key), value: String($0.value))
        }
        query.append(URLQueryItem(name: "limit", value: "500"))
        query.append(URLQueryItem(name: "cursor", value: cursor))
        components.queryItems = query
        var head = request.head
        head.path = components.string ?? request.uri.path
        return Request(head: head, body: .init(buffer: ByteBuffer()))
    }

    static func file(_ data: Data, format: SheetWriter.Format, name: String) -> Response {
        Response(status: .ok, headers: SpreadsheetQuery.headers(format: format, fileName: "\(name)-\(SpreadsheetQuery.today())"),
                 body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    /// `/api/v1/reports/portfolio` → `portfolio`; `/api/v1/loans/late` → `loans-late`.
    static func fileName(_ path: String) -> String {
        let parts = path.split(separator: "/").dropFirst(2).filter { UUID(uuidString: String($0)) == nil }
        let name = parts.last == nil ? "ravnaq" : parts.suffix(2).joined(separator: "-")
        return path.hasPrefix("/api/v1/reports/") ? String(parts.last ?? "report") : name
    }

    static func noSpreadsheet(_ request: Request) -> RavnaqError {
        .badQuery([.init(pointer: "/format", detail: "\(request.uri.path) answers JSON only: lists and reports come as csv or xlsx")])
    }

    static func collect(_ response: Response) async throws -> Data {
        let collector = Collector()
        try await response.body.write(collector)
        return collector.storage.withLock { $0 }
    }

    /// Gathers a response body written by a route.
    struct Collector: ResponseBodyWriter {
        final class Storage: Sendable {
            let data = Mutex(Data())
            func withLock<T: Sendable>(_ body: (inout Data) -> T) -> T { data.withLock { body(&$0) } }
        }
        let storage = Storage()
        func write(_ buffer: ByteBuffer) async throws { storage.withLock { $0.append(contentsOf: buffer.readableBytesView) } }
        func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
