import Foundation
import HTTPTypes
import Hummingbird
import RavnaqCore
import RavnaqHTTP

/// The signed-in pages: the session cookie names a session (else the person is sent to sign in),
/// whose actor every service call then acts as — the same services and row-level security as
/// the API — and every form sent must carry the session's token (a cross-site form cannot).
struct SessionMiddleware: RouterMiddleware {
    typealias Context = RavnaqRequestContext
    let signIn: SignIn

    static let cookie = "ravnaq_session"
    /// The header of a form sent by the phone's outbox (web/assets/app.js): it is answered with a
    /// status, never sent to a sign-in page.
    static let outboxHeader = HTTPField.Name("X-Ravnaq-Outbox")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let fromOutbox = request.headers[Self.outboxHeader] != nil
        guard let id = request.cookies[Self.cookie]?.value, let session = try await signIn.session(id: id) else {
            if fromOutbox || request.method != .get { return Response(status: .unauthorized) }
            let next = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            return Pages.redirect("/sign-in?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
        }
        var request = request
        if request.method == .post {
            let form = try await Form.read(&request)
            let sent = form["csrf"] ?? request.headers[HTTPField.Name("X-CSRF-Token")!] ?? ""
            guard Self.same(sent, session.csrfToken) else {
                // The outbox may send a form kept since an earlier session: it keeps it ("sign in
                // to send") on a 401 and sends it with the token of the next page it loads.
                return Pages.html(Language.of(request).texts["error_csrf"], status: fromOutbox ? .unauthorized : .forbidden)
            }
        }
        var context = context
        context.actor = session.actor
        context.session = session
        return try await next(request, context)
    }

    /// Compares without stopping at the first difference.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The session cookie: HttpOnly, SameSite=Lax, Secure when the request came over TLS (the
    /// reverse proxy says so), for the path of the whole app; the browser forgets it after the
    /// server's 12 idle hours are long over.
    static func sessionCookie(_ id: String, for request: Request) -> Cookie {
        Cookie(name: cookie, value: id, maxAge: 7 * 24 * 3600, path: "/", secure: overTLS(request), httpOnly: true, sameSite: .lax)
    }

    static func overTLS(_ request: Request) -> Bool {
        request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }
}

/// Errors of the pages as pages: not found, forbidden, or a fault of ours with the request id.
struct WebErrorMiddleware: RouterMiddleware {
    typealias Context = RavnaqRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as RavnaqError {
            let texts = Language.of(request).texts
            switch error {
            case .notFound:
                return Pages.shared.page("error", title: texts["error_not_found"], ["message": texts["error_not_found"]],
                                         request: request, context: context, status: .notFound)
            case .forbidden(let reason):
                return Pages.shared.page("error", title: texts["error_forbidden"], ["message": texts["error_forbidden"], "detail": reason],
                                         request: request, context: context, status: .forbidden)
            case .unauthenticated:
                return Pages.redirect("/sign-in")
            case .invalid, .badQuery, .rule, .conflict:
                return Pages.shared.page("error", title: texts["error_check_fields"], ["message": error.message],
                                         request: request, context: context, status: .unprocessableContent)
            case .unavailable:
                return fault(request, context, status: .serviceUnavailable, log: error.message)
            case .fault(let detail), .setup(let detail):
                return fault(request, context, status: .internalServerError, log: detail)
            }
        } catch let error as HTTPError {
            throw error
        } catch {
            return fault(request, context, status: .internalServerError, log: String(reflecting: error))
        }
    }

    private func fault(_ request: Request, _ context: Context, status: HTTPResponse.Status, log: String) -> Response {
        context.logger.error("internal error: \(log)", metadata: ["request_id": "\(context.id)"])
        let texts = Language.of(request).texts
        return Pages.shared.page("error", title: texts["error_fault"],
                                 ["message": texts["error_fault"], "detail": texts.format("error_request_id", ["id": context.id])],
                                 request: request, context: context, status: status)
    }
}
