import Foundation
import HTTPTypes
import Hummingbird
import RavnaqCore
import RavnaqHTTP

/// Signing in and out, setting a password from a one-time link, and the language switch.
/// Before there is a session, a form's token is a random value kept in a cookie of its own and
/// repeated in the form (a cross-site form can set neither).
struct SignInPages {
    let signIn: SignIn
    let users: Users

    static let formCookie = "ravnaq_form"

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("/", use: root)
        group.get("sign-in", use: signInPage)
        group.post("sign-in", use: signInSubmit)
        group.get("welcome/:token", use: welcomePage)
        group.post("welcome/:token", use: welcomeSubmit)
        group.get("language/:code", use: language)
    }

    func registerSignedIn(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("home") { _, context in Pages.redirect(Navigation.home(for: try context.requireActor().role)) }
        group.post("sign-out", use: signOut)
    }

    @Sendable func root(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        guard let id = request.cookies[SessionMiddleware.cookie]?.value, let session = try await signIn.session(id: id) else {
            return Pages.redirect("/sign-in")
        }
        return Pages.redirect(Navigation.home(for: session.actor.role))
    }

    // MARK: Sign-in

    @Sendable func signInPage(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        signInForm(request, context, email: "", message: nil, status: .ok)
    }

    private func signInForm(_ request: Request, _ context: RavnaqRequestContext, email: String, message: String?,
                            status: HTTPResponse.Status) -> Response {
        let texts = Language.of(request).texts
        let token = request.cookies[Self.formCookie]?.value ?? Users.formToken()
        var response = Pages.shared.page(
            "sign_in", title: texts["sign_in_title"],
            ["form_token": token, "email": email, "form_error": message ?? "", "next": Self.safeNext(request.uri.queryParameters.get("next")) ?? ""],
            request: request, context: context, status: status)
        response.setCookie(Self.formTokenCookie(token, request))
        return response
    }

    @Sendable func signInSubmit(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        var request = request
        let form = try await Form.read(&request)
        let texts = Language.of(request).texts
        let email = form["email"] ?? ""
        guard Self.formTokenMatches(form, request) else {
            return signInForm(request, context, email: email, message: texts["error_csrf"], status: .forbidden)
        }
        switch try await signIn.signIn(email: email, password: form.fields["password"] ?? "") {
        case .refused:
            return signInForm(request, context, email: email, message: texts["sign_in_refused"], status: .unauthorized)
        case .locked(let until):
            return signInForm(request, context, email: email, message: texts.format("sign_in_locked", ["time": until]), status: .tooManyRequests)
        case .signedIn(let session):
            var response = Pages.redirect(Self.safeNext(form["next"]) ?? Navigation.home(for: session.actor.role))
            response.setCookie(SessionMiddleware.sessionCookie(session.id, for: request))
            return response
        }
    }

    @Sendable func signOut(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        if let session = context.session { try await signIn.signOut(id: session.id) }
        var response = Pages.redirect("/sign-in")
        response.setCookie(Cookie(name: SessionMiddleware.cookie, value: "", maxAge: 0, path: "/", secure: SessionMiddleware.overTLS(request),
                                  httpOnly: true, sameSite: .lax))
        return response
    }

    // MARK: One-time links

    @Sendable func welcomePage(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        try await welcomeForm(request, context, token: try context.parameters.require("token"), problems: nil, status: .ok)
    }

    private func welcomeForm(_ request: Request, _ context: RavnaqRequestContext, token: String, problems: FormProblems?,
                             status: HTTPResponse.Status) async throws -> Response {
        let texts = Language.of(request).texts
        guard let user = try await signIn.linkOwner(token: token) else {
            return Pages.shared.page("error", title: texts["link_not_valid"], ["message": texts["link_not_valid"]],
                                     request: request, context: context, status: .notFound)
        }
        let formToken = request.cookies[Self.formCookie]?.value ?? Users.formToken()
        var values: [String: Any] = ["form_token": formToken, "email": user.email, "token": token]
        values.merge((problems ?? FormProblems(texts: texts)).values) { _, new in new }
        var response = Pages.shared.page("welcome", title: texts["welcome_title"], values, request: request, context: context, status: status)
        response.setCookie(Self.formTokenCookie(formToken, request))
        return response
    }

    @Sendable func welcomeSubmit(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        var request = request
        let form = try await Form.read(&request)
        let token = try context.parameters.require("token")
        let texts = Language.of(request).texts
        var problems = FormProblems(texts: texts)
        guard Self.formTokenMatches(form, request) else {
            problems.setGeneral(texts["error_csrf"])
            return try await welcomeForm(request, context, token: token, problems: problems, status: .forbidden)
        }
        do {
            let user = try await signIn.setPassword(token: token, password: form.fields["password"] ?? "",
                                                    confirmation: form.fields["password_confirmation"] ?? "")
            // Signed in at once with the new password: the person has just proved they hold the link.
            guard case .signedIn(let session) = try await signIn.signIn(email: user.email, password: form.fields["password"] ?? "") else {
                return Pages.redirect("/sign-in")
            }
            var response = Pages.redirect(Navigation.home(for: session.actor.role))
            response.setCookie(SessionMiddleware.sessionCookie(session.id, for: request))
            return response
        } catch let error as RavnaqError {
            try problems.absorb(error)
            return try await welcomeForm(request, context, token: token, problems: problems, status: .unprocessableContent)
        }
    }

    // MARK: Language

    @Sendable func language(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        guard let language = Language(rawValue: try context.parameters.require("code")) else { throw RavnaqError.notFound("language") }
        var response = Pages.redirect(Self.safeNext(request.uri.queryParameters.get("back")) ?? "/")
        response.setCookie(Cookie(name: Language.cookie, value: language.rawValue, maxAge: 365 * 24 * 3600, path: "/",
                                  secure: SessionMiddleware.overTLS(request), httpOnly: true, sameSite: .lax))
        return response
    }

    // MARK: Helpers

    /// Only a path of this site (`/families/…`), never another site's address.
    static func safeNext(_ next: String?) -> String? {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\") else { return nil }
        return next
    }

    static func formTokenCookie(_ token: String, _ request: Request) -> Cookie {
        Cookie(name: formCookie, value: token, path: "/", secure: SessionMiddleware.overTLS(request), httpOnly: true, sameSite: .strict)
    }

    static func formTokenMatches(_ form: Form, _ request: Request) -> Bool {
        guard let cookie = request.cookies[formCookie]?.value, let sent = form["csrf"] else { return false }
        return SessionMiddleware.same(cookie, sent)
    }
}
