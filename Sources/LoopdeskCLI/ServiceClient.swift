import Foundation
import Support
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A small HTTP client for a running `loopdesk` service, for the CLI verbs given `--server`.
struct ServiceClient: Sendable {
    let baseURL: URL
    let token: String?
    /// The workspace whose routes the `/v1/…` paths are sent to (`/v1/w/NAME/…`); the default one keeps `/v1/…`.
    let workspace: WorkspaceName

    /// The service at `server` (default `$LOOPDESK_URL`, then `http://127.0.0.1:8080`), with
    /// `token` (default `$LOOPDESK_TOKEN`), working in `workspace`.
    init(server: String?, token: String?, workspace: WorkspaceName = .default) throws {
        self.workspace = workspace
        let environment = ProcessInfo.processInfo.environment
        let text = server ?? environment["LOOPDESK_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://127.0.0.1:8080"
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw CLIError("--server \(text) is not an http(s) URL such as http://127.0.0.1:8080")
        }
        baseURL = url
        self.token = token ?? environment["LOOPDESK_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Sends a request and decodes a 2xx JSON answer as `T`.
    /// - Throws: ``CLIError`` with the service's own error code and message for any other status,
    ///   or saying that the service cannot be reached.
    func send<T: Decodable>(_ method: String, _ path: String, query: [URLQueryItem] = [], body: Data? = nil,
                            contentType: String = "application/json", as type: T.Type) async throws -> T {
        let data = try await sendForData(method, path, query: query, body: body, contentType: contentType)
        do {
            return try CLIJSON.decoder.decode(T.self, from: data)
        } catch {
            throw CLIError("\(method) \(path): the service's answer cannot be read (\(error))")
        }
    }

    /// Sends a request and gives back a 2xx answer's body as it came (a page, or JSON passed on as is).
    /// - Throws: as ``send(_:_:query:body:contentType:as:)``.
    func sendForData(_ method: String, _ path: String, query: [URLQueryItem] = [], body: Data? = nil,
                     contentType: String = "application/json") async throws -> Data {
        let endpoint = baseURL.appendingPathComponent(Self.path(path, in: workspace))
        guard var components = URLComponents(url: endpoint, resolvingAgainstBaseURL: false) else {
            throw CLIError("\(method) \(path): \(endpoint.absoluteString) is not a URL the client can send to")
        }
        if !query.isEmpty { components.queryItems = query }
        guard let url = components.url else {
            throw CLIError("\(method) \(path): the query \(query) does not make a URL with \(endpoint.absoluteString)")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = 600
        if let body {
            request.httpBody = body
            request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (response, data) = try await Self.perform(request)
        let status = response.statusCode
        guard (200..<300).contains(status) else {
            if let failure = try? JSONDecoder().decode(ErrorReply.self, from: data) {
                var message = "\(method) \(path): HTTP \(status) \(failure.error.code): \(failure.error.message)"
                if status == 401, token == nil { message += " (set LOOPDESK_TOKEN or pass --token)" }
                throw CLIError(message)
            }
            throw CLIError("\(method) \(path): HTTP \(status): \(String(decoding: data.prefix(500), as: UTF8.self))")
        }
        return data
    }

    /// `path` as `workspace` serves it: `/v1/ask` is `/v1/w/NAME/ask` of workspace NAME. The
    /// workspace routes themselves (`/v1/workspaces…`) and the default workspace's paths stay as given.
    static func path(_ path: String, in workspace: WorkspaceName) -> String {
        guard !workspace.isDefault, path.hasPrefix("/v1/"), !path.hasPrefix("/v1/workspaces") else { return path }
        return "/v1/w/\(workspace.rawValue)/" + path.dropFirst("/v1/".count)
    }

    /// The process's one transport: a CLI verb lives as long as its process, and so does this
    /// (``HTTPTransport``, not `URLSession`, which busy-waits on Linux while the service works).
    /// An answer is kept up to 1 GiB; a request may take 10 minutes (a large import batch).
    private static let transport = HTTPTransport(timeout: 600, maxBodyBytes: 1 << 30)

    private static func perform(_ request: URLRequest) async throws -> (HTTPURLResponse, Data) {
        do {
            return try await transport.send(request)
        } catch {
            throw CLIError("cannot reach the service at \(request.url?.absoluteString ?? "?"): \(error); is `loopdesk up` running there?")
        }
    }
}

/// The API's error body.
private struct ErrorReply: Decodable {
    struct Detail: Decodable {
        var code: String
        var message: String
    }
    var error: Detail
}

/// A failure the CLI reports as one line on standard error, exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The JSON coding the CLI reads and prints with (the API's: ISO 8601 dates).
enum CLIJSON {
    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    static func print<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
