import Foundation

/// Starts a detached OS thread named `name` (visible in `top -H`).
///
/// The server's connections and workers are plain threads rather than tasks
/// because they block in `read(2)` and in the index: blocking the Swift
/// concurrency pool would starve it (docs/ARCHITECTURE.md, "Concurrency model").
func startThread(_ name: String, _ body: @escaping @Sendable () -> Void) {
    let thread = Thread { body() }
    thread.name = name
    thread.stackSize = 1 << 20
    thread.start()
}
