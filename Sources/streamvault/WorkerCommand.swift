import ArgumentParser
import Catalog
import Foundation
import Ingest
import Packager
import VaultLayout

/// `streamvault worker --assignment JSON`: one task of a job (plan, chunk, tracks, finish)
/// in a child process of the daemon. Not for people: the daemon starts it, reads its JSON
/// lines, and records the outcome.
struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one task of a job (started by the daemon).", shouldDisplay: false)

    @Option(help: "The task and its job, as JSON.") var assignment: String
    @Option(help: "Tasks the daemon runs side by side.") var concurrentTasks = 1
    @OptionGroup var options: CommonOptions

    func run() async throws {
        options.bootstrapLogging()
        requestInterruptOnSignals()
        let key = Self.readKey()
        stopWhenStandardInputCloses()
        let vault = Vault(root: options.rootURL)
        let worker = TaskWorker(vault: vault, presets: options.presets, concurrentTasks: concurrentTasks)
        let status = await worker.run(
            try JSONDecoder().decode(WorkerAssignment.self, from: Data(assignment.utf8)), key: key,
            emit: { message in
                guard let line = try? WorkerChannel.line(message) else { return }
                FileHandle.standardOutput.write(line)
            },
            isCancelled: { interruptRequested.load(ordering: .relaxed) })
        Foundation.exit(status)
    }

    /// The first line of stdin: the title's key in hex, or nothing (WorkerProcess).
    private static func readKey() -> TitleKey? {
        var line: [UInt8] = [], byte: UInt8 = 0
        while line.count <= 2 * TitleKey.length, read(STDIN_FILENO, &byte, 1) == 1, byte != UInt8(ascii: "\n") { line.append(byte) }
        return TitleKey(hex: String(decoding: line, as: UTF8.self))
    }

    /// The daemon holds our stdin open; when it dies (even by `kill -9`) we read end of
    /// file and stop, removing our partial output, instead of running on as an orphan.
    private func stopWhenStandardInputCloses() {
        Thread {
            var byte: UInt8 = 0
            while read(STDIN_FILENO, &byte, 1) > 0 {}
            interruptRequested.store(true, ordering: .relaxed)
        }.start()
    }
}
