import Support

extension SupportService {
    /// The service's reports, for the routes that show them.
    /// - Throws: ``APIError/reportsUnavailable`` when the store answers no report queries.
    func reportsForAPI() throws -> SupportReports {
        guard let reports else { throw APIError.reportsUnavailable }
        return reports
    }

    /// The service's insights, for the routes that show them.
    /// - Throws: ``APIError/reportsUnavailable`` when the store answers no report queries.
    func insightsForAPI() throws -> Insights {
        guard let insights else { throw APIError.reportsUnavailable }
        return insights
    }
}
