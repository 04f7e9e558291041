@testable import Support
import XCTest

/// EscalationDecision.swift: the whole escalation rule for one question, on a policy with no evidence
/// (threshold 0.9 while learning, the fixed baseline threshold 0.75 on the mean score when not).
final class EscalationDecisionTests: XCTestCase {
    private let confident = EscalationDecision.Candidate(topic: "billing", score: 0.97, lower: 0.95)

    private func decide(_ best: EscalationDecision.Candidate?, rankedAnything: Bool = true,
                        noArticle: EscalationDecision.NoArticleEvidence? = nil, learning: Bool = true) -> EscalationDecision {
        var configuration = SupportConfiguration()
        configuration.learning = learning
        let policy = EscalationPolicy(configuration: EscalationDecision.policyConfiguration(for: configuration))
        return EscalationDecision(best: best, rankedAnything: rankedAnything, noArticle: noArticle, policy: policy,
                                  configuration: configuration)
    }

    func testAConfidentCandidateIsAnsweredOnItsLowerBound() {
        let decision = decide(confident)
        XCTAssertEqual(decision.decision, .answer)
        XCTAssertEqual(decision.threshold, 0.9)
        XCTAssertTrue(decision.reason.hasPrefix("answer: P(resolved) lower bound 0.950 ≥ 0.900"), decision.reason)
    }

    func testAHighMeanWithAWideIntervalIsEscalatedWhileLearning() {
        let decision = decide(EscalationDecision.Candidate(topic: "billing", score: 0.97, lower: 0.6))
        XCTAssertEqual(decision.decision, .escalate)
        XCTAssertTrue(decision.reason.hasPrefix("escalate: P(resolved) lower bound 0.600 < 0.900 needed"), decision.reason)
    }

    func testLearningOffJudgesTheMeanAgainstTheBaselineThreshold() {
        let decision = decide(EscalationDecision.Candidate(topic: "billing", score: 0.8, lower: 0.3), learning: false)
        XCTAssertEqual(decision.decision, .answer, "the untrained ranker's bounds never narrow: the baseline decides on the mean")
        XCTAssertEqual(decision.threshold, 0.75)
        XCTAssertTrue(decision.reason.contains("fixed threshold"), decision.reason)
    }

    func testQuestionsLikeOnesHandledWithoutAnArticleAreEscalatedWhateverTheCandidateScores() {
        let bySharedVote = decide(confident, noArticle: .init(share: 0.2, rankedFirst: false))
        XCTAssertEqual(bySharedVote.decision, .escalate, "a share at the configured 0.2 is enough")
        XCTAssertEqual(bySharedVote.threshold, 0.9, "the best candidate's topic threshold is still reported")
        XCTAssertTrue(bySharedVote.reason.hasPrefix("escalate: 20 % of the nearest questions' vote is for ones agents handled without an article"),
                      bySharedVote.reason)
        XCTAssertTrue(bySharedVote.reason.hasSuffix("(best article candidate's lower bound 0.950)"), bySharedVote.reason)

        let byRank = decide(confident, noArticle: .init(share: 0, rankedFirst: true))
        XCTAssertEqual(byRank.decision, .escalate, "the ranker putting that group first is enough")
    }

    func testASmallNoArticleShareLeavesTheDecisionToThePolicy() {
        XCTAssertEqual(decide(confident, noArticle: .init(share: 0.19, rankedFirst: false)).decision, .answer)
        XCTAssertEqual(decide(confident, noArticle: nil).decision, .answer)
    }

    func testWithoutAPublishedCandidateTheReasonSaysWhy() {
        let archived = decide(nil, rankedAnything: true)
        XCTAssertEqual(archived.decision, .escalate)
        XCTAssertEqual(archived.reason, "escalate: the nearest articles are archived")
        XCTAssertEqual(archived.threshold, 0.9)
        let nothing = decide(nil, rankedAnything: false, noArticle: .init(share: 1, rankedFirst: true))
        XCTAssertEqual(nothing.decision, .escalate)
        XCTAssertEqual(nothing.reason, "escalate: the knowledge base has nothing near this question",
                       "with no candidate the no-article rule has nothing to say")
    }
}
