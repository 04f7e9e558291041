import Foundation
@testable import SupportPostgres
import XCTest

/// ``PostgresStoreURL``: the URL forms a ``PostgresStore`` is opened with (no server needed).
final class PostgresStoreURLTests: XCTestCase {
    func testTCPWithPasswordAndPort() throws {
        let url = try PostgresStoreURL(parsing: "postgres://loop:s%40cret@db.internal:6432/support")
        XCTAssertEqual(url.user, "loop")
        XCTAssertEqual(url.password, "s@cret")
        XCTAssertEqual(url.host, "db.internal")
        XCTAssertEqual(url.port, 6432)
        XCTAssertEqual(url.database, "support")
        XCTAssertNil(url.socketPath)
        XCTAssertFalse(url.description.contains("cret"), "the description leaves the password out")
    }

    func testPostgresqlSchemeDefaultPortAndIPv6() throws {
        let url = try PostgresStoreURL(parsing: "postgresql://loop@[::1]/support")
        XCTAssertEqual(url.host, "::1")
        XCTAssertEqual(url.port, 5432)
        XCTAssertNil(url.password)
    }

    func testUnixSocketByQueryOrByPathHost() throws {
        let byQuery = try PostgresStoreURL(parsing: "postgres://postgres@/support?host=/run/postgresql")
        XCTAssertEqual(byQuery.socketDirectory, "/run/postgresql")
        XCTAssertEqual(byQuery.socketPath, "/run/postgresql/.s.PGSQL.5432")
        XCTAssertNil(byQuery.host)
        let byHost = try PostgresStoreURL(parsing: "postgres://postgres@%2Ftmp%2Fpg:5433/support")
        XCTAssertEqual(byHost.socketPath, "/tmp/pg/.s.PGSQL.5433")
        let queryWins = try PostgresStoreURL(parsing: "postgres://postgres@localhost/support?host=/tmp/s&sslmode=disable")
        XCTAssertEqual(queryWins.socketDirectory, "/tmp/s")
        XCTAssertNil(queryWins.host)
    }

    func testRefusedForms() {
        for text in ["mysql://u@h/db", "postgres://u@h", "postgres://u@h/", "postgres://h/db", "postgres://u@/db",
                     "postgres://u@h:99999/db", "postgres://u@h/db?sslmode=require", "postgres://u@h/db?colour=blue"] {
            XCTAssertThrowsError(try PostgresStoreURL(parsing: text), text)
        }
    }
}
