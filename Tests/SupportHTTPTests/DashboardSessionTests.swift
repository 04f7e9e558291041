import Foundation
import Hummingbird
import HummingbirdTesting
@testable import SupportHTTP
import XCTest

/// The dashboard's login form: the token in, a session cookie out (HttpOnly, SameSite=Strict,
/// a random id the server expires), and a CSRF token on every form it posts.
final class DashboardSessionTests: XCTestCase {
    /// The login form's CSRF token: from its hidden field, checked against its cookie.
    private static func loginForm(_ api: APIClient) async throws -> (csrf: String, cookie: String) {
        let page = try await api.send(.get, "/dashboard/login", token: nil)
        XCTAssertEqual(page.status, 200, page.text)
        let csrf = try XCTUnwrap(Self.hiddenField("csrf", in: page.text))
        let cookie = try XCTUnwrap(Self.setCookie(DashboardCookies.loginCSRF, in: page))
        XCTAssertEqual(Self.value(of: cookie), csrf, "the form and its cookie carry the same token")
        XCTAssertTrue(cookie.contains("HttpOnly"), cookie)
        XCTAssertTrue(cookie.contains("SameSite=Strict"), cookie)
        return (csrf, cookie)
    }

    /// Signs in; returns the session cookie's whole `Set-Cookie` value.
    static func login(_ api: APIClient, token: String = APIHarness.token) async throws -> String {
        let form = try await loginForm(api)
        let reply = try await api.send(.post, "/dashboard/login", body: "token=\(token)&csrf=\(form.csrf)", token: nil,
                                       headers: [.contentType: "application/x-www-form-urlencoded",
                                                 .cookie: "\(DashboardCookies.loginCSRF)=\(form.csrf)"])
        XCTAssertEqual(reply.status, 303, reply.text)
        XCTAssertEqual(reply.headers[.location], "/dashboard")
        return try XCTUnwrap(setCookie(DashboardCookies.session, in: reply))
    }

    static func hiddenField(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    static func setCookie(_ name: String, in response: APIResponse) -> String? {
        response.headers[values: .setCookie].first { $0.hasPrefix(name + "=") }
    }

    static func value(of setCookie: String) -> String {
        String(setCookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1).dropFirst().first ?? "")
    }

    func testLoginSetsASessionCookieTheDashboardAcceptsInsteadOfTheToken() async throws {
        try await withAPI { _, api in
            let cookie = try await Self.login(api)
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/dashboard", "Max-Age=28800"] {
                XCTAssertTrue(cookie.contains(attribute), "\(attribute) in \(cookie)")
            }
            let id = Self.value(of: cookie)
            XCTAssertEqual(id.count, 64)
            XCTAssertTrue(id.allSatisfy(\.isHexDigit), id)
            XCTAssertFalse(id.contains(APIHarness.token))
            let second = Self.value(of: try await Self.login(api))
            XCTAssertNotEqual(id, second, "every login gets a fresh random id")

            for path in ["/dashboard", "/dashboard/gaps", "/dashboard/decisions"] {
                let page = try await api.send(.get, path, token: nil, headers: [.cookie: "\(DashboardCookies.session)=\(id)"])
                XCTAssertEqual(page.status, 200, path)
                XCTAssertFalse(page.text.contains("token="), "no token in the links of a session's page")
                XCTAssertTrue(page.text.contains("action=\"/dashboard/logout\""), "a sign-out form")
            }
            let forged = try await api.send(.get, "/dashboard", token: nil,
                                            headers: [.cookie: "\(DashboardCookies.session)=\(String(repeating: "a", count: 64))"])
            XCTAssertEqual(forged.status, 401)
            let browser = try await api.send(.get, "/dashboard", token: nil, headers: [.accept: "text/html,application/xhtml+xml"])
            XCTAssertEqual(browser.status, 303, "a browser without a session is sent to the login form")
            XCTAssertEqual(browser.headers[.location], "/dashboard/login")
            // The cookie is the dashboard's only: the API still wants the bearer header.
            let api401 = try await api.send(.get, "/v1/articles", token: nil, headers: [.cookie: "\(DashboardCookies.session)=\(id)"])
            XCTAssertEqual(api401.status, 401)
        }
    }

    func testTheLoginFormChecksItsCSRFTokenTheTokenAndItsContentType() async throws {
        try await withAPI { _, api in
            let form = try await Self.loginForm(api)
            let urlencoded: HTTPFields = [.contentType: "application/x-www-form-urlencoded",
                                          .cookie: "\(DashboardCookies.loginCSRF)=\(form.csrf)"]
            let noCSRF = try await api.send(.post, "/dashboard/login", body: "token=\(APIHarness.token)", token: nil, headers: urlencoded)
            XCTAssertEqual(noCSRF.status, 403)
            XCTAssertEqual(noCSRF.errorCode, "csrf_mismatch")
            let otherCSRF = try await api.send(.post, "/dashboard/login", body: "token=\(APIHarness.token)&csrf=\(String(repeating: "0", count: 64))",
                                               token: nil, headers: urlencoded)
            XCTAssertEqual(otherCSRF.status, 403)
            let noCookie = try await api.send(.post, "/dashboard/login", body: "token=\(APIHarness.token)&csrf=\(form.csrf)", token: nil,
                                              headers: [.contentType: "application/x-www-form-urlencoded"])
            XCTAssertEqual(noCookie.status, 403, "a cross-site form has the field but not the SameSite cookie")
            let wrong = try await api.send(.post, "/dashboard/login", body: "token=nope&csrf=\(form.csrf)", token: nil, headers: urlencoded)
            XCTAssertEqual(wrong.status, 401)
            XCTAssertNil(Self.setCookie(DashboardCookies.session, in: wrong))
            let empty = try await api.send(.post, "/dashboard/login", body: "token=&csrf=\(form.csrf)", token: nil, headers: urlencoded)
            XCTAssertEqual(empty.status, 401)
            var plain = urlencoded
            plain[.contentType] = "text/plain"
            let asText = try await api.send(.post, "/dashboard/login", body: "token=\(APIHarness.token)&csrf=\(form.csrf)", token: nil, headers: plain)
            XCTAssertEqual(asText.status, 415)
            XCTAssertTrue(asText.errorMessage.contains("application/x-www-form-urlencoded"), asText.errorMessage)
            _ = try await Self.login(api)   // and a proper one still works
        }
    }

    func testSignOutNeedsTheSessionsCSRFTokenAndEndsTheSession() async throws {
        try await withAPI { _, api in
            let id = Self.value(of: try await Self.login(api))
            let cookie: HTTPFields = [.cookie: "\(DashboardCookies.session)=\(id)", .contentType: "application/x-www-form-urlencoded"]
            let page = try await api.send(.get, "/dashboard", token: nil, headers: cookie)
            let csrf = try XCTUnwrap(Self.hiddenField("csrf", in: page.text))
            let forged = try await api.send(.post, "/dashboard/logout", body: "csrf=\(String(repeating: "f", count: 64))", token: nil, headers: cookie)
            XCTAssertEqual(forged.status, 403)
            let missing = try await api.send(.post, "/dashboard/logout", body: "", token: nil, headers: cookie)
            XCTAssertEqual(missing.status, 403)
            let stillIn = try await api.send(.get, "/dashboard", token: nil, headers: cookie)
            XCTAssertEqual(stillIn.status, 200, "still signed in")
            let out = try await api.send(.post, "/dashboard/logout", body: "csrf=\(csrf)", token: nil, headers: cookie)
            XCTAssertEqual(out.status, 303)
            XCTAssertTrue(Self.setCookie(DashboardCookies.session, in: out)?.contains("Max-Age=0") ?? false)
            let signedOut = try await api.send(.get, "/dashboard", token: nil, headers: cookie)
            XCTAssertEqual(signedOut.status, 401, "the id is dead server-side")
        }
    }

    func testEveryFormTheDashboardServesCarriesACSRFToken() async throws {
        try await withAPI { _, api in
            let id = Self.value(of: try await Self.login(api))
            var pages = [try await api.send(.get, "/dashboard/login", token: nil).text]
            for path in ["/dashboard", "/dashboard/gaps", "/dashboard/decisions"] {
                pages.append(try await api.send(.get, path, token: nil, headers: [.cookie: "\(DashboardCookies.session)=\(id)"]).text)
            }
            var forms = 0
            for html in pages {
                for form in html.components(separatedBy: "<form").dropFirst() {
                    let body = form.components(separatedBy: "</form>")[0]
                    forms += 1
                    XCTAssertTrue(body.contains("method=\"post\""), body)
                    let csrf = Self.hiddenField("csrf", in: body) ?? ""
                    XCTAssertEqual(csrf.count, 64, "a CSRF token in \(body)")
                }
            }
            XCTAssertEqual(forms, 4, "the login form and a sign-out form on each page")
        }
    }

    func testTheServerExpiresASessionWhateverTheCookieSays() async throws {
        let harness = try await APIHarness()
        var configuration = LoopdeskHTTPConfiguration(token: APIHarness.token)
        configuration.sessionLifetime = .milliseconds(400)
        let app = LoopdeskHTTPServer.buildApplication(service: harness.service, configuration: configuration)
        do {
            try await app.test(.router) { client in
                let api = APIClient(client: client)
                let id = Self.value(of: try await Self.login(api))
                let cookie: HTTPFields = [.cookie: "\(DashboardCookies.session)=\(id)"]
                let fresh = try await api.send(.get, "/dashboard", token: nil, headers: cookie)
                XCTAssertEqual(fresh.status, 200)
                try await Task.sleep(nanoseconds: 600_000_000)
                let expired = try await api.send(.get, "/dashboard", token: nil, headers: cookie)
                XCTAssertEqual(expired.status, 401)
            }
        } catch {
            await harness.close()
            throw error
        }
        await harness.close()
    }

    func testWithoutATokenTheLoginFormLeadsStraightToTheDashboard() async throws {
        try await withAPI(token: nil) { _, api in
            let login = try await api.send(.get, "/dashboard/login", token: nil)
            XCTAssertEqual(login.status, 303)
            XCTAssertEqual(login.headers[.location], "/dashboard")
        }
    }
}
