import Hummingbird
import RavnaqCore

/// The JSON edge of every write, in one place: the body of a POST, PUT or PATCH is read (at
/// most `maximumBytes`, else 413) and checked as strict JSON (`RequestBodyCheck`) before any
/// route sees it — also on routes that take no body (all but the imports, which take a file), so that nothing a lenient reader would
/// repair ever reaches a service. The routes then read the buffered body.
struct RequestBodyMiddleware: RouterMiddleware {
    typealias Context = RavnaqRequestContext

    /// A family with its members fits many times over; bulk data goes through imports.
    static let maximumBytes = 1 << 20

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard [.post, .put, .patch].contains(request.method) else { return try await next(request, context) }
        // A file, not JSON: the imports route reads its own body, up to its own, larger limit.
        if request.uri.path.hasPrefix(ImportsController.pathPrefix) { return try await next(request, context) }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: Self.maximumBytes)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            // NIO's "too many bytes", which Hummingbird marks as 413.
            throw BodyTooLarge(limit: Self.maximumBytes)
        }
        if buffer.readableBytes > 0 { try RequestBodyCheck.check(Array(buffer.readableBytesView)) }
        return try await next(request, context)
    }
}

/// A body over `RequestBodyMiddleware.maximumBytes` (413).
struct BodyTooLarge: Error {
    let limit: Int
}
