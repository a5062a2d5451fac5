import ArgumentParser
import Catalog
import Foundation
import Ingest
import Packager

/// `streamvault worker --job ID`: one job's transcode in a child process of the daemon.
/// Not for people: the daemon starts it, reads its JSON lines, and publishes the result.
struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one job (started by the daemon).", shouldDisplay: false)

    @Option(help: "The job to run.") var job: String
    @OptionGroup var options: CommonOptions

    func run() async throws {
        options.bootstrapLogging()
        requestInterruptOnSignals()
        stopWhenStandardInputCloses()
        let vault = Vault(root: options.rootURL)
        let worker = JobWorker(vault: vault, catalog: try SQLiteCatalog(path: vault.catalog.path), presets: options.presets)
        let encoder = JSONEncoder()
        let status = await worker.run(
            jobID: job,
            emit: { message in
                guard let line = try? encoder.encode(message) else { return }
                FileHandle.standardOutput.write(line + Data("\n".utf8))
            },
            isCancelled: { interruptRequested.load(ordering: .relaxed) })
        Foundation.exit(status)
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
