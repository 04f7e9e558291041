import Hummingbird

/// A set of related endpoints that adds itself to the API's router.
///
/// Each group is a value in a file of its own under `Routes/`, holding only what its
/// handlers need (the service, a body limit, the metrics). ``LoopdeskHTTPServer`` lists
/// every group in one place, so the whole API can be read off one array.
protocol RouteGroup: Sendable {
    /// Adds this group's routes to `router`, behind the middleware already on it.
    func register(on router: Router<LoopdeskRequestContext>)
}
