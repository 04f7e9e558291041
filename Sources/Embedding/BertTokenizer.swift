import Foundation

/// BERT's uncased WordPiece tokenizer: text in, token ids out, framed as
/// `[CLS] pieces… [SEP]` and truncated to the model's window.
///
/// Equal, id for id, to Hugging Face `tokenizers`' `BertNormalizer` +
/// `BertPreTokenizer` + `WordPiece` with the model's `vocab.txt` (checked by
/// the golden fixture's 16 sentences).
public struct BertTokenizer: Sendable {
    /// The longest sequence a BERT position table can hold.
    public static let maximumSupportedLength = 512

    private let basic: BasicTokenizer
    private let wordPiece: WordPieceTokenizer
    private var vocabulary: Vocabulary { wordPiece.vocabulary }

    /// Loads `vocab.txt` (and `tokenizer_config.json`'s `do_lower_case`, when
    /// present) from a model directory.
    /// - Throws: ``EmbeddingError`` naming the file that is missing or unusable.
    public init(modelDirectory: String) throws {
        let vocabulary = try Vocabulary(path: modelDirectory + "/vocab.txt")
        var lowercase = true
        let configPath = modelDirectory + "/tokenizer_config.json"
        if let data = FileManager.default.contents(atPath: configPath),
           let config = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
           let doLowerCase = config["do_lower_case"] as? Bool {
            lowercase = doLowerCase
        }
        self.init(vocabulary: vocabulary, lowercase: lowercase)
    }

    init(vocabulary: Vocabulary, lowercase: Bool = true) {
        basic = BasicTokenizer(lowercase: lowercase)
        wordPiece = WordPieceTokenizer(vocabulary: vocabulary)
    }

    /// The number of tokens in the vocabulary.
    public var vocabularySize: Int { vocabulary.count }

    /// The id of `[PAD]`.
    public var padID: Int32 { vocabulary.padID }

    /// Token ids of `text`: `[CLS]`, at most `maxLength - 2` word pieces, `[SEP]`.
    ///
    /// Longer texts are cut at the end (the reference's truncation), and only
    /// the words that fit are ever tokenised, so a megabyte of text costs no
    /// more than a sentence. An empty text gives `[CLS] [SEP]`.
    /// - Parameters:
    ///   - text: any text.
    ///   - maxLength: the window, clamped to `2...512`; 128 for all-MiniLM-L6-v2.
    /// - Returns: between 2 and `maxLength` ids.
    public func encode(_ text: String, maxLength: Int = 128) -> [Int32] {
        let budget = min(max(maxLength, 2), Self.maximumSupportedLength) - 2
        var ids: [Int32] = [vocabulary.classifierID]
        ids.reserveCapacity(min(budget, 4 + text.utf8.count / 3) + 2)
        var scratch = WordPieceTokenizer.Scratch()
        basic.forEachWord(in: text) { word in
            wordPiece.appendPieces(of: word, to: &ids, scratch: &scratch)
            return ids.count - 1 < budget
        }
        if ids.count - 1 > budget { ids.removeSubrange((budget + 1)...) }
        ids.append(vocabulary.separatorID)
        return ids
    }

    /// The spelling of each id (`##` marks a continuation piece); for inspection and tests.
    public func tokens(for ids: [Int32]) -> [String] {
        ids.map { vocabulary.token(for: $0) }
    }
}
