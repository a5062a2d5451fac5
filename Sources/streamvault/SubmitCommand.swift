import ArgumentParser
import Catalog
import Foundation
import Ingest
import Packager
import VaultLayout

/// `streamvault submit FILE`: queue a job for the daemon (which need not be running yet).
struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Queue a file for packaging; the caller's file is linked or copied, never modified.")

    @Argument(help: "The media file.") var file: String
    @Option(help: "The title (default: from the file name).") var title: String?
    @Option(help: "\(MediaType.list) (default: from the file name).") var type: MediaType?
    @Option(help: "Preset name or path to a .json file.") var preset = "default"
    @OptionGroup var tracks: TrackOptions
    @Flag(help: "Follow the job to its end; exit 1 if it fails.") var wait = false
    @OptionGroup var options: CommonOptions

    func run() async throws {
        options.bootstrapLogging()
        let vault = Vault(root: options.rootURL)
        let catalog: any CatalogStore
        let job: Job
        do {
            catalog = try await options.openCatalog()
            let loaded = try options.presets.load(preset)
            let sidecars = tracks.sidecars().map {
                JobSubmission.Sidecar(path: $0.path, kind: $0.kind == .audio ? .audio : .subtitle, language: $0.language.tag)
            }
            job = try await JobSubmission(
                file: file, sidecars: sidecars, title: title, type: type, preset: preset,
                maxAttempts: loaded.maxAttempts, origin: .submit
            ).enqueue(in: vault, catalog: catalog)
        } catch {
            throw OperationFailed(error)
        }
        if !wait {
            if options.json { return try options.printJSON(JobDocument(job)) }
            print(job.id)
            return
        }
        let finished = try await follow(job, in: catalog)
        if options.json { try options.printJSON(JobDocument(finished)) } else { print(JobsCommand.describe(finished)) }
        if finished.state == .failed || finished.state == .cancelled {
            throw OperationFailed(JobFailed(job: finished))
        }
    }

    /// Polls the catalog until the job ends, drawing its progress.
    private func follow(_ job: Job, in catalog: any CatalogStore) async throws -> Job {
        let display = ProgressDisplay(label: job.source)
        defer { display.finish() }
        let start = ContinuousClock.now
        while true {
            guard let current = try await catalog.job(id: job.id) else { throw OperationFailed(JobFailed(job: job)) }
            if current.state.isFinal { return current }
            let elapsed = (ContinuousClock.now - start).seconds
            let remaining = current.progress > 0.01 && current.speed > 0 ? elapsed * (1 - current.progress) / current.progress : nil
            display.show(fraction: current.progress, speed: current.speed, remaining: remaining, elapsed: elapsed)
            try await Task.sleep(for: .milliseconds(500))
        }
    }
}

struct JobFailed: Error, CustomStringConvertible {
    let job: Job
    var description: String { "job \(job.id) \(job.state.rawValue): \(job.error ?? job.source)" }
}
