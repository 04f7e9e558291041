import Hummingbird
import Support

/// The `/v1` routes over one ``SupportService``; each concern registers its
/// routes from its own file (`SupportAPI-ask.swift`, `SupportAPI-learning.swift`, …).
struct SupportAPI: Sendable {
    let service: SupportService
    let configuration: LoopdeskHTTPConfiguration

    typealias Context = LoopdeskRequestContext
}
