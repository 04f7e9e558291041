import Hummingbird

extension Request {
    /// The integer query parameter `name`, or `value` when the query lacks it.
    /// - Throws: ``APIError/invalidRequest(_:)`` naming the parameter and its range when
    ///   the text is not an integer in `range`.
    func integerQueryParameter(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = uri.queryParameters.get(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw APIError.invalidRequest("query parameter \(name)=\(text) must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }
}
