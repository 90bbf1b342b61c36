import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import RavnaqCore
import RavnaqHTTP

/// The templates (`web/templates/*.mustache`, embedded at build time) and the one way a page is
/// answered: its template rendered with the page's values, inside the layout with the person's
/// language, navigation and the session's form token.
struct Pages: Sendable {
    let library: MustacheLibrary

    static let shared = Pages()

    private init() {
        var library = MustacheLibrary()
        for file in embeddedTemplates {
            // The templates are ours; one that does not parse is a build mistake the tests catch.
            try! library.register(file.text, named: String(file.name.dropLast(".mustache".count)))
        }
        self.library = library
    }

    /// An HTML answer: `template` with `values`, in the layout.
    func page(_ template: String, title: String, _ values: [String: Any] = [:], request: Request,
              context: RavnaqRequestContext, status: HTTPResponse.Status = .ok) -> Response {
        let language = Language.of(request)
        let texts = language.texts
        var values = values
        values["t"] = texts.entries
        values["csrf"] = context.session?.csrfToken ?? ""
        let body = library.render(Self.present(values), withTemplate: template) ?? ""
        var layout: [String: Any] = [
            "t": texts.entries, "lang": language.rawValue, "title": title, "body": body,
            "csrf": context.session?.csrfToken ?? "",
            "languages": Language.allCases.map { other in
                ["code": other.rawValue, "name": other.ownName, "current": other == language,
                 "href": "/language/\(other.rawValue)?back=\(Self.back(request))"] as [String: Any]
            },
        ]
        if let actor = context.session?.actor {
            layout["user"] = actor.name
            layout["nav"] = Navigation.items(for: actor.role, path: request.uri.path, texts: texts)
            layout["has_nav"] = true
        }
        return Self.html(library.render(Self.present(layout), withTemplate: "layout") ?? "", status: status)
    }

    /// The values without their empty texts. Mustache counts an empty string as present, so
    /// `{{#error}}…{{/error}}` would draw an empty error box; an absent key is both empty where
    /// it is printed and false where it is tested.
    static func present(_ values: [String: Any]) -> [String: Any] {
        values.compactMapValues { value -> Any? in
            switch value {
            case let text as String: text.isEmpty ? nil : text
            case let dictionary as [String: Any]: present(dictionary)
            case let list as [[String: Any]]: list.map(present)
            default: value
            }
        }
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "private, no-cache"
        // Everything the pages use is ours: no script, style or frame from anywhere else.
        headers[HTTPField.Name("Content-Security-Policy")!] =
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// 303 See Other: where a form's success leads (a reload does not send it again).
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// The page to come back to after switching the language: this page's own path and query.
    static func back(_ request: Request) -> String {
        let path = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        return path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"
    }
}

/// What each role finds in the menu.
enum Navigation {
    static func items(for role: Role, path: String, texts: Texts) -> [[String: Any]] {
        let links: [(String, String)] = switch role {
        case .mentor: [("/families", "nav_my_families")]
        case .coordinator: [("/collections", "nav_collections"), ("/families", "nav_families"), ("/books", "nav_books")]
        case .admin: [("/collections", "nav_collections"), ("/families", "nav_families"), ("/books", "nav_books"), ("/users", "nav_users")]
        case .grantOfficer: [("/dashboard", "nav_dashboard")]
        }
        return links.map { href, key in
            ["href": href, "label": texts[key], "current": path == href || path.hasPrefix(href + "/")]
        }
    }

    /// Where a role starts.
    static func home(for role: Role) -> String {
        switch role {
        case .mentor: "/families"
        case .coordinator, .admin: "/collections"
        case .grantOfficer: "/dashboard"
        }
    }
}
