import Hummingbird
import NIOCore

/// HTML responses: the dashboard's pages, its sign-in page and the standalone
/// roll-out report all leave through here, so each carries the same type,
/// length and `no-store` (a page of a support team's figures is never cached).
enum HTMLBody {
    /// `html` as a `text/html` response that is never cached.
    static func response(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
        headers[.contentLength] = String(html.utf8.count)
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
