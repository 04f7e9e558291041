// Writes the fuzzer's seed corpus: one file per sample request and reply
// frame (Tests/WireTests/Support/Samples.swift), an error frame, a notice and
// a pipelined stream of them all. Built and run by scripts/fuzz-wire.sh.

#if canImport(Glibc)
import Glibc
#endif

@main
struct MakeSeeds {
    static func main() throws {
        let dir = CommandLine.arguments[1]
        var all: [UInt8] = []
        func write(_ name: String, _ bytes: [UInt8]) {
            let file = fopen(dir + "/" + name, "wb")!
            _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            fclose(file)
            all.append(contentsOf: bytes)
        }
        for (i, request) in Samples.requests.enumerated() {
            write("request-\(i)-\(request.kind.name)", request.frame(requestID: UInt32(i + 1)))
        }
        for (i, response) in Samples.responses.enumerated() {
            write("reply-\(i)-\(response.kind.name)", response.frame(requestID: UInt32(i + 1)))
        }
        write("error", ErrorPayload.frame(WireError(.wrongDimension, "dimension 3, expected 384"), kind: .search, requestID: 9))
        write("notice", ErrorPayload.frame(WireError(.shuttingDown, "stopping"), kind: .notice, requestID: 0))
        let stream = all
        write("stream", stream)
    }
}
