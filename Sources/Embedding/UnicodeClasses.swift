/// The character classes BERT's tokenizer is defined by, as Hugging Face
/// `tokenizers` implements them (`BertNormalizer`, `BertPreTokenizer`).
enum UnicodeClasses {
    /// White_Space characters; tab, newline and carriage return included.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20, 0x09, 0x0A, 0x0D: return true
        case 0..<0x80: return false
        default: return scalar.properties.isWhitespace
        }
    }

    /// Characters the normaliser deletes: NUL, U+FFFD and every "Other"
    /// category (control, format, surrogate, private use, unassigned), except
    /// tab, newline and carriage return, which count as whitespace.
    static func isRemoved(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return false
        case 0xFFFD: return true
        case 0..<0x20, 0x7F: return true
        case 0x20..<0x7F: return false
        default:
            switch scalar.properties.generalCategory {
            case .control, .format, .surrogate, .privateUse, .unassigned: return true
            default: return false
            }
        }
    }

    /// CJK Unified Ideographs and their extensions and compatibility blocks:
    /// each becomes a word of its own, because Chinese is written without spaces.
    /// (Hangul, kana and other scripts are not in these blocks, as in BERT.)
    static func isCJKIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// ASCII punctuation and symbols (`$`, `+`, `^`, `` ` `` … included) and
    /// every Unicode punctuation category: each is split off as a word of its own.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 33...47, 58...64, 91...96, 123...126: return true
        case 0..<0x80: return false
        default:
            switch scalar.properties.generalCategory {
            case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                 .initialPunctuation, .finalPunctuation, .otherPunctuation:
                return true
            default:
                return false
            }
        }
    }

    /// Non-spacing marks: the accents that stripping removes after NFD.
    static func isNonSpacingMark(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 0x300 && scalar.properties.generalCategory == .nonspacingMark
    }
}
