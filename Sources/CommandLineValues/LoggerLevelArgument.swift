import ArgumentParser
import Logging

// The command-line values both executables (`loopdesk`, `loopdesk-core`)
// take, declared once: ArgumentParser parses them itself, so a wrong one is
// refused before `run()` with the option's name and its choices.

/// `--log-level trace|debug|info|notice|warning|error|critical`.
extension Logger.Level: @retroactive ExpressibleByArgument {}
