import Foundation

/// The roll-out part of a ``SupportStore``: each topic's mode, when it changed, and what its
/// questions came to in each mode.
public protocol RolloutStore: Sendable {
    /// The modes someone set, by topic (a topic not listed follows the default mode).
    func topicModes() throws -> [String: TopicMode]
    /// Every mode change, oldest first.
    func topicModeChanges() throws -> [TopicModeChange]
    /// Each topic's judged answers ever (with a candidate): when its conservative start ends.
    func judgedCountsByTopic() throws -> [String: Int]
    /// Each topic's figures by mode, for every topic that has an answer.
    func topicFigures() throws -> [String: TopicFigures]
}

/// The roll-out writes of a ``SupportStoreWriter``.
public protocol RolloutStoreWriter {
    /// Sets a topic's mode and records the change with its time.
    func setTopicMode(topic: String, mode: TopicMode, at: Date) throws
}
