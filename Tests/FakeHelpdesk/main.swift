// fake-helpdesk: a helpdesk's test double (LoopdeskTestSupport/Fakes) as a process, for
// scripts/demo-helpdesk.sh and for trying write-back by hand. It prints every request it
// receives — method, path, authentication scheme, body — and its answer, one per line.
//
//   FakeHelpdesk zendesk --port 9000     (ZENDESK_EMAIL, ZENDESK_API_TOKEN)
//   FakeHelpdesk freshdesk --port 9000   (FRESHDESK_API_KEY)
//   FakeHelpdesk intercom --port 9000    (INTERCOM_ACCESS_TOKEN, INTERCOM_ADMIN_ID)
//
// Not a helpdesk: it keeps nothing, and accepts every ticket id.
import Foundation
import LoopdeskTestSupport

/// One line on standard output, unbuffered (the demo interleaves it with its own).
@Sendable func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let arguments = CommandLine.arguments.dropFirst()
let environment = ProcessInfo.processInfo.environment
guard let which = arguments.first else {
    FileHandle.standardError.write(Data("usage: FakeHelpdesk zendesk|freshdesk|intercom [--port N]\n".utf8))
    exit(2)
}
var port: UInt16 = 0
if let index = arguments.firstIndex(of: "--port"), arguments.index(after: index) < arguments.endIndex {
    port = UInt16(arguments[arguments.index(after: index)]) ?? 0
}
let name = String(which)
let log: @Sendable (String) -> Void = { line in say("[fake \(name)] \(line)") }
let fake: FakeHelpdeskAPI
switch which {
case "zendesk":
    fake = try FakeHelpdeskAPI.zendesk(email: environment["ZENDESK_EMAIL"] ?? "", apiToken: environment["ZENDESK_API_TOKEN"] ?? "",
                                       port: port, log: log)
case "freshdesk":
    fake = try FakeHelpdeskAPI.freshdesk(apiKey: environment["FRESHDESK_API_KEY"] ?? "", port: port, log: log)
case "intercom":
    fake = try FakeHelpdeskAPI.intercom(accessToken: environment["INTERCOM_ACCESS_TOKEN"] ?? "",
                                        adminID: environment["INTERCOM_ADMIN_ID"] ?? "", port: port, log: log)
default:
    FileHandle.standardError.write(Data("unknown helpdesk \(which): zendesk, freshdesk or intercom\n".utf8))
    exit(2)
}
say("[fake \(name)] listening on \(fake.baseURL.absoluteString)")
signal(SIGTERM) { _ in exit(0) }
signal(SIGINT) { _ in exit(0) }
while true { sleep(3600) }
