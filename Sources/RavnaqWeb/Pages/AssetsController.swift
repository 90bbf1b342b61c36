import Foundation
import HTTPTypes
import Hummingbird
import RavnaqHTTP

/// The stylesheet, the script and the service worker, from the binary (web/assets); and the page
/// the service worker shows when a page was never opened online.
struct AssetsController {
    static let assets: [String: String] = Dictionary(uniqueKeysWithValues: embeddedAssets.map { ($0.name, $0.text) })

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("assets/:file", use: asset)
        // The service worker's scope is the folder it is served from: the whole app.
        group.get("sw.js") { _, _ in Self.answer("sw.js", cache: "no-cache") }
        group.get("offline") { request, context in
            let texts = Language.of(request).texts
            return Pages.shared.page("error", title: texts["offline_title"], ["message": texts["offline_title"], "detail": texts["offline_detail"]],
                                     request: request, context: context)
        }
    }

    @Sendable func asset(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        // An hour in the browser's cache; the service worker keeps them for offline use.
        Self.answer(try context.parameters.require("file"), cache: "public, max-age=3600")
    }

    static func answer(_ name: String, cache: String) -> Response {
        guard let text = assets[name] else { return Response(status: .notFound) }
        let type = switch name.split(separator: ".").last {
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        default: "application/octet-stream"
        }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: cache, HTTPField.Name("X-Content-Type-Options")!: "nosniff"],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
