import Foundation
import Primitives

/// A one-line progress bar on standard error: redrawn in place on a terminal,
/// a line per quarter otherwise (so logs of scripted imports stay short).
final class StderrProgress: Sendable {
    private let label: String
    private let interactive = isatty(STDERR_FILENO) != 0
    /// The last quarter printed, when not on a terminal; held while drawing,
    /// so concurrent updates never interleave their lines.
    private let lastQuarter = Locked(-1)

    init(_ label: String) { self.label = label }

    /// Shows `done` of `total`.
    func update(_ done: Int, _ total: Int) {
        lastQuarter.withLock { lastQuarter in draw(done, total, lastQuarter: &lastQuarter) }
    }

    private func draw(_ done: Int, _ total: Int, lastQuarter: inout Int) {
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        if interactive {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total)".utf8))
            if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
        } else {
            let quarter = Int(fraction * 4)
            guard quarter != lastQuarter else { return }
            lastQuarter = quarter
            FileHandle.standardError.write(Data("\(label): \(done)/\(total)\n".utf8))
        }
    }
}
