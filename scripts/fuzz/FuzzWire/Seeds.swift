// The seed inputs: one file per sample request and reply frame (the test
// samples, Tests/WireTests/Support/Samples.swift, copied beside this file by
// scripts/fuzz-wire.sh), an error frame, a notice and a pipelined stream of
// them all. Written when LOOPDESK_FUZZ_SEEDS names a folder, before fuzzing.

import Foundation
import Primitives
import Wire

@_cdecl("LLVMFuzzerInitialize")
public func writeSeedsIfAsked(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    guard let dir = ProcessInfo.processInfo.environment["LOOPDESK_FUZZ_SEEDS"] else { return 0 }
    var all: [UInt8] = []
    func write(_ name: String, _ bytes: [UInt8]) {
        _ = FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(bytes))
        all.append(contentsOf: bytes)
    }
    for (i, request) in Samples.requests.enumerated() {
        write("request-\(i)-\(request.kind.name)", try! request.frame(requestID: UInt32(i + 1)))
    }
    for (i, response) in Samples.responses.enumerated() {
        write("reply-\(i)-\(response.kind.name)", try! response.frame(requestID: UInt32(i + 1)))
    }
    write("error", ErrorPayload.frame(WireError(.wrongDimension, "dimension 3, expected 384"), kind: .search, requestID: 9))
    write("notice", ErrorPayload.frame(WireError(.shuttingDown, "stopping"), kind: .notice, requestID: 0))
    let stream = all
    write("stream", stream)
    return 0
}
