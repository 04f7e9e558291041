import Foundation

/// Finds the installed model directory.
///
/// `LOOPDESK_MODEL_DIR` wins when it is set. Otherwise the locator walks up
/// from each starting directory (the current directory by default; tests add
/// their own source path) looking for `models/all-MiniLM-L6-v2`, where
/// `scripts/install-model.sh` puts the files.
public enum ModelLocator {
    /// The environment variable that names the model directory outright.
    public static let environmentVariable = "LOOPDESK_MODEL_DIR"
    /// Where `scripts/install-model.sh` installs the model, relative to the repository root.
    public static let defaultRelativePath = "models/all-MiniLM-L6-v2"
    /// What to tell someone whose model is missing.
    public static let installHint = "run scripts/install-model.sh from the repository root, or set \(environmentVariable)"

    /// The directory holding `requiredFile`, or `nil` when none was found.
    /// - Parameters:
    ///   - requiredFile: the file that must be present: `model.safetensors` for
    ///     the model, `vocab.txt` when only the tokenizer is needed.
    ///   - environment: the process environment (tests pass their own).
    ///   - startDirectories: where to start walking up; the current directory by default.
    /// - Returns: a directory path without a trailing slash.
    public static func locate(
        requiring requiredFile: String = "model.safetensors",
        environment: [String: String] = ProcessInfo.processInfo.environment,
        startDirectories: [String] = [FileManager.default.currentDirectoryPath]
    ) -> String? {
        let files = FileManager.default
        if let explicit = environment[environmentVariable], !explicit.isEmpty {
            return files.fileExists(atPath: explicit + "/" + requiredFile) ? explicit : nil
        }
        for start in startDirectories {
            var directory = URL(fileURLWithPath: start).standardizedFileURL
            while true {
                let candidate = directory.appendingPathComponent(defaultRelativePath).path
                if files.fileExists(atPath: candidate + "/" + requiredFile) { return candidate }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        return nil
    }
}
