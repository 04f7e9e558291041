import Wire

/// `snapshot --socket PATH`: asks a running daemon for a snapshot over the protocol.
enum SnapshotViaSocket {
    static func run(socket: String, collection: String?) throws {
        let client = try LoopdeskBlockingClient(socketPath: socket, clientName: "loopdesk-core snapshot")
        defer { client.close() }
        let reply = try client.call(SnapshotRequest(collection: collection ?? ""))
        if reply.snapshots.isEmpty { print("no collections on \(socket)") }
        for s in reply.snapshots {
            print("\(s.collection): snapshot \(s.sequence) (\(s.bytes) bytes)")
        }
    }
}
