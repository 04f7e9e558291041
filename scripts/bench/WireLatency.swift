// Wire round-trip latency against the floor: a plain blocking 16-byte
// request/response between two processes over a Unix socket.
//
// Built and run by scripts/wire-latency.sh (swiftc -O with the Wire sources);
// not a SwiftPM target. `serve DIR` runs a minimal echo server (raw and
// framed sockets) in its own process; `measure DIR` is the client side.
#if canImport(Glibc)
import Glibc
#endif

func listenSocket(_ path: String) -> Int32 {
    do { return try UnixSocket.listen(path: path, backlog: 8) } catch { fatalError("\(error)") }
}

func spawn(_ body: @escaping () -> Void) {
    final class Box { let body: () -> Void; init(_ body: @escaping () -> Void) { self.body = body } }
    var thread = pthread_t()
    pthread_create(&thread, nil, { Unmanaged<Box>.fromOpaque($0!).takeRetainedValue().body(); return nil },
                   Unmanaged.passRetained(Box(body)).toOpaque())
    pthread_detach(thread)
}

func readExactly(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Bool {
    var got = 0
    while got < count {
        let n = read(fd, buffer + got, count - got)
        if n <= 0 { return false }
        got += n
    }
    return true
}

func writeAll(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) {
    var sent = 0
    while sent < count {
        let n = write(fd, bytes + sent, count - sent)
        if n <= 0 { return }
        sent += n
    }
}

func serve(_ dir: String) {
    let raw = listenSocket(dir + "/raw.sock")
    let framed = listenSocket(dir + "/wire.sock")
    spawn {
        while true {
            let fd = accept(raw, nil, nil)
            if fd < 0 { return }
            spawn {
                var buffer = [UInt8](repeating: 0, count: 16)
                buffer.withUnsafeMutableBytes { b in
                    while readExactly(fd, b.baseAddress!, 16) { writeAll(fd, b.baseAddress!, 16) }
                }
                close(fd)
            }
        }
    }
    while true {
        let fd = accept(framed, nil, nil)
        if fd < 0 { return }
        spawn {
            var decoder = FrameDecoder()
            var out = ByteWriter(capacity: 4096)
            while true {
                let n = decoder.receive { read(fd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                while let reply = try? decoder.withNextFrame({ (header, payload) throws(WireError) -> [UInt8] in
                    switch header.kind {
                    case .hello: return HelloResponse(maxInFlight: 1024, serverName: "echo").frame(requestID: header.requestID, flags: .response)
                    case .ping: return Frame.encode(kind: .ping, flags: .response, requestID: header.requestID) { $0.write(raw: payload) }
                    default: return ErrorPayload.frame(WireError(.unknownKind, "echo server"), kind: header.kind, requestID: header.requestID)
                    }
                }) {
                    out.write(raw: reply)
                }
                out.bytes.withUnsafeBytes { writeAll(fd, $0.baseAddress!, $0.count) }
                out = ByteWriter(capacity: 4096)
            }
            close(fd)
        }
    }
}

func now() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

struct Summary {
    var name: String
    var samples: [Double]
    func line(floor: Double?) -> String {
        let sorted = samples.sorted()
        let p50 = sorted[sorted.count / 2], p99 = sorted[Int(Double(sorted.count) * 0.99)]
        let ratio = floor.map { "  \(fmt(p50 / $0, digits: 2))× floor" } ?? ""
        let padded = name + String(repeating: " ", count: max(0, 30 - name.count))
        return "\(padded) p50 \(fmt(p50)) µs  p99 \(fmt(p99)) µs\(ratio)"
    }
}

func fmt(_ value: Double, digits: Int = 1) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    return String((value * scale).rounded() / scale)
}

func measure(_ dir: String, iterations: Int) async throws {
    // Floor: plain blocking 16-byte round trip.
    let rawFD = try UnixSocket.connect(path: dir + "/raw.sock")
    var floorSamples: [Double] = []
    var buffer = [UInt8](repeating: 1, count: 16)
    buffer.withUnsafeMutableBytes { b in
        for i in 0..<(iterations + 1000) {
            let start = now()
            writeAll(rawFD, b.baseAddress!, 16)
            _ = readExactly(rawFD, b.baseAddress!, 16)
            if i >= 1000 { floorSamples.append(Double(now() - start) / 1000) }
        }
    }
    let floor = Summary(name: "floor: raw blocking 16 B", samples: floorSamples)
    let floorP50 = floorSamples.sorted()[floorSamples.count / 2]
    print(floor.line(floor: nil))

    let blocking = try LoopdeskBlockingClient(socketPath: dir + "/wire.sock")
    var blockingSamples: [Double] = []
    for i in 0..<(iterations + 1000) {
        let start = now()
        _ = try blocking.call(PingRequest())
        if i >= 1000 { blockingSamples.append(Double(now() - start) / 1000) }
    }
    print(Summary(name: "LoopdeskBlockingClient PING", samples: blockingSamples).line(floor: floorP50))

    let client = try await LoopdeskClient.connect(socketPath: dir + "/wire.sock")
    var asyncSamples: [Double] = []
    for i in 0..<(iterations + 1000) {
        let start = now()
        try await client.ping()
        if i >= 1000 { asyncSamples.append(Double(now() - start) / 1000) }
    }
    print(Summary(name: "LoopdeskClient PING (async)", samples: asyncSamples).line(floor: floorP50))

    // Throughput with 16 in flight.
    let batches = max(iterations / 16, 100)
    var start = now()
    let requests = [PingRequest](repeating: PingRequest(), count: 16)
    for _ in 0..<batches { _ = try blocking.callPipelined(requests) }
    var seconds = Double(now() - start) / 1e9
    print("LoopdeskBlockingClient pipelined 16: \(Int(Double(batches * 16) / seconds)) req/s")

    start = now()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<16 {
            group.addTask { for _ in 0..<batches { try await client.ping() } }
        }
        try await group.waitForAll()
    }
    seconds = Double(now() - start) / 1e9
    print("LoopdeskClient 16 tasks in flight:   \(Int(Double(batches * 16) / seconds)) req/s")
}

@main
struct WireLatency {
    static func main() async throws {
        let args = CommandLine.arguments
        guard args.count >= 3 else {
            print("usage: wire-latency serve DIR | measure DIR [iterations]")
            exit(2)
        }
        if args[1] == "serve" {
            serve(args[2])
        } else {
            try await measure(args[2], iterations: args.count > 3 ? Int(args[3])! : 20_000)
        }
    }
}
