/// Every refusal of the replay harness, with the offending file, line or value and what to do.
public enum ReplayError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A file could not be read.
    case unreadable(path: String, reason: String)
    /// A JSONL line is not the object the format asks for (`line` counts from 1).
    case malformedLine(path: String, line: Int, reason: String)
    /// A data set file does not have the shape its converter expects.
    case malformedDataset(path: String, reason: String)
    /// An option is out of range or contradicts another.
    case invalidOption(String)
    /// The answer service or the core failed during a run.
    case serviceFailure(String)

    /// What went wrong, with the file and line where there is one.
    public var description: String {
        switch self {
        case let .unreadable(path, reason): "cannot read \(path): \(reason)"
        case let .malformedLine(path, line, reason): "\(path):\(line): \(reason)"
        case let .malformedDataset(path, reason): "\(path): \(reason)"
        case let .invalidOption(why): why
        case let .serviceFailure(why): "the replay failed: \(why)"
        }
    }
}
