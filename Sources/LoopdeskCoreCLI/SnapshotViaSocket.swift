import Wire

/// `snapshot --socket PATH`: asks a running daemon for a snapshot over the
/// protocol and prints each snapshot's path, as `snapshot --data` does.
enum SnapshotViaSocket {
    static func run(socket: String, collection: String?) throws {
        let client = try LoopdeskBlockingClient(socketPath: socket, clientName: "loopdesk-core snapshot")
        defer { client.close() }
        let reply = try client.call(SnapshotRequest(collection: collection ?? ""))
        if reply.snapshots.isEmpty { print("no collections on \(socket)") }
        for s in reply.snapshots {
            // A protocol 1.0 server sends no paths: fall back to naming the snapshot.
            print(s.path.isEmpty ? "\(s.collection): snapshot \(s.sequence) (\(s.bytes) bytes)" : s.path)
        }
    }
}
