import Hummingbird

/// `GET /api/v1/openapi.json`: the OpenAPI 3.1 document, served without a token. A test checks
/// that its paths and the router's routes are the same set.
struct OpenAPIController {
    func register(on router: Router<RavnaqRequestContext>) {
        router.get("api/v1/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.json)))
        }
    }
}
