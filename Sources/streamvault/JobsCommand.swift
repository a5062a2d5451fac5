import ArgumentParser
import Catalog
import Foundation

/// `streamvault jobs [--state S]`: the job queue, newest first.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jobs", abstract: "List jobs, newest first.")

    @Option(help: "Only jobs in this state: queued, running, succeeded, failed, cancelled, duplicate.") var state: Job.State?
    @OptionGroup var options: CommonOptions

    func run() async throws {
        options.bootstrapLogging()
        let jobs = try await withCatalog(options) { try await $0.jobs(state: state) }
        if options.json { return try options.printJSON(["items": jobs.map(JobDocument.init)]) }
        if jobs.isEmpty { print("no jobs") }
        for job in jobs {
            print(String(format: "%@  %-9@ %5.1f%%  %@  %@", job.id, job.state.rawValue, job.progress * 100,
                         job.mediaId, job.source + (job.error.map { " — \($0)" } ?? "")))
        }
    }

    static func describe(_ job: Job) -> String {
        var lines = ["job \(job.id): \(job.state.rawValue) (\(job.stage.rawValue))",
                     "  source    \(job.source)", "  title     \(job.mediaId)", "  preset    \(job.preset)",
                     String(format: "  progress  %.1f%%, %.2f× realtime", job.progress * 100, job.speed),
                     "  attempts  \(job.attempts) of \(job.maxAttempts)"]
        if let error = job.error { lines.append("  error     \(error)") }
        lines.append("  created   \(job.createdAt)")
        if let finished = job.finishedAt { lines.append("  finished  \(finished)") }
        for warning in job.warnings {
            let cues = warning.cuesRead.map { read in " (\(read) cue(s) read, \(warning.cuesDropped ?? 0) dropped)" } ?? ""
            lines.append("  warning   \(warning)\(cues)")
        }
        return lines.joined(separator: "\n")
    }
}

extension Job.State: ExpressibleByArgument {}
extension MediaType: ExpressibleByArgument {}

/// `streamvault job ID`.
struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "job", abstract: "Show one job.")

    @Argument(help: "The job id.") var id: String
    @OptionGroup var options: CommonOptions

    func run() async throws {
        options.bootstrapLogging()
        let found = try await withCatalog(options) { catalog -> (Job, [JobTask])? in
            guard let job = try await catalog.job(id: id) else { return nil }
            return (job, try await catalog.tasks(jobID: id))
        }
        guard let (job, tasks) = found else { throw OperationFailed(NotFound(what: "job \(id)")) }
        if options.json { return try options.printJSON(JobDocument(job, tasks: tasks)) }
        print(JobsCommand.describe(job))
        for chunk in JobDocument(job, tasks: tasks).chunks ?? [] {
            print("  chunk \(chunk.index)  " + String(format: "%7.1f–%7.1f s  ", chunk.start, chunk.end)
                + chunk.state + (chunk.node.map { " on \($0)" } ?? ""))
        }
    }
}

/// `streamvault cancel ID`: a queued job ends at once; a running one is stopped by its daemon.
struct Cancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Cancel a job.")

    @Argument(help: "The job id.") var id: String
    @OptionGroup var options: CommonOptions

    func run() async throws {
        options.bootstrapLogging()
        guard let job = try await withCatalog(options, { try await $0.cancelJob(id: id) }) else {
            throw OperationFailed(NotFound(what: "job \(id)"))
        }
        if options.json { return try options.printJSON(JobDocument(job)) }
        switch job.state {
        case .cancelled: print("job \(id) cancelled")
        case .running: print("job \(id) is stopping; its file will go to failed/")
        default: throw OperationFailed(NotFound(what: "job \(id) already ended (\(job.state.rawValue))"))
        }
    }
}

struct NotFound: Error, CustomStringConvertible {
    let what: String
    var description: String { "no \(what)" }
}

/// Opens the vault's catalog for one command; errors become operation failures (exit 1).
func withCatalog<T>(_ options: CommonOptions, _ body: (any CatalogStore) async throws -> T) async throws -> T {
    do {
        return try await body(try await options.openCatalog())
    } catch {
        throw OperationFailed(error)
    }
}
