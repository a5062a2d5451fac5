import ArgumentParser
import Foundation

/// The `streamvault` command: a thin shell whose subcommands call the libraries.
struct StreamVault: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streamvault",
        abstract: "Turns video files into adaptive HLS streams, in-process through the FFmpeg libraries.",
        subcommands: [Serve.self, Submit.self, JobsCommand.self, JobCommand.self, Cancel.self, MediaCommand.self,
                      Probe.self, Transcode.self, Presets.self, Keygen.self, Token.self, Worker.self]
    )

    /// Runs the command line: exit 0 on success, 1 on a failed operation, 2 on a usage error.
    static func runMain() async -> Never {
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
            Foundation.exit(0)
        } catch let failure as OperationFailed {
            FileHandle.standardError.write(Data("error: \(failure.message)\n".utf8))
            Foundation.exit(1)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// A failed operation (as opposed to a usage error): printed as one line, exit code 1.
struct OperationFailed: Error {
    let message: String
    init(_ error: any Error) { message = String(describing: error) }
    init(_ message: String) { self.message = message }
}

@main
enum Main {
    static func main() async { await StreamVault.runMain() }
}
