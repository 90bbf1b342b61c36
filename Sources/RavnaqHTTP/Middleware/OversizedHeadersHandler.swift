import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Request headers larger than the HTTP parser takes (80 KiB: a very long Authorization header,
/// say) never reach the router; Hummingbird would answer them with an empty 400. This channel
/// handler, just after the parser, answers them instead as every other refusal is answered: a
/// problem+json, here 431 Request Header Fields Too Large, and closes the connection (the
/// parser cannot go on after such an error).
final class OversizedHeadersHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    static let body = #"""
        {"detail":"the request's header fields are larger than the server reads (80 KiB); a bearer token is 47 characters",\#
        "status":431,"title":"Request header fields too large","type":"urn:ravnaq:problem:headers-too-large"}
        """#

    /// Set once the 431 is on its way: the parser errs on every byte that follows.
    private var answered = false

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, parserError == .headerOverflow || answered else {
            context.fireErrorCaught(error)
            return
        }
        guard !answered else { return }
        answered = true
        let body = context.channel.allocator.buffer(string: Self.body)
        let head = HTTPResponse(status: .init(code: 431), headerFields: [
            .contentType: "application/problem+json", .contentLength: String(body.readableBytes), .connection: "close",
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        // The client may still be sending the rest of its headers: stop writing but read on (and
        // drop what comes), so that it reads the answer rather than a reset; close in any case
        // after a few seconds.
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(mode: .output, promise: nil) }
        context.eventLoop.scheduleTask(in: .seconds(5)) { bound.value.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !answered { context.fireChannelRead(data) }
    }
}
