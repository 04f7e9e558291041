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
    /// When the service first answered a question in live mode: the roll-out's deployment.
    func firstLiveAnswerAt() throws -> Date?
    /// The seconds from each question asked in `since ..< until` to its first `resolved` outcome,
    /// by topic (``SupportReports/noTopic`` for none), for the report's median resolution times.
    func resolutionSeconds(since: Date, until: Date) throws -> [String: [Double]]
    /// The imported pre-deployment baseline, if there is one.
    func rolloutBaseline() throws -> RolloutBaseline?
}

/// The roll-out writes of a ``SupportStoreWriter``.
public protocol RolloutStoreWriter {
    /// Sets a topic's mode and records the change with its time.
    func setTopicMode(topic: String, mode: TopicMode, at: Date) throws
    /// Replaces the pre-deployment baseline with `baseline` (an import is the whole export).
    func replaceRolloutBaseline(_ baseline: RolloutBaseline) throws
}
