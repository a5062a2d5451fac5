import Catalog
import Foundation

/// `claims-benchmark URL [JOBS] [CLAIMERS]`: how many tasks per second claimers take from
/// one catalog, each with a store of its own (as daemons would), each task claimed and
/// completed. Prints one JSON line; fails if a task was taken twice. Used by `make bench`.
@main
enum ClaimsBenchmark {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard let url = arguments.first else {
            FileHandle.standardError.write(Data("usage: claims-benchmark CATALOG-URL [JOBS] [CLAIMERS]\n".utf8))
            exit(2)
        }
        let jobs = arguments.dropFirst().first.flatMap { Int($0) } ?? 2000
        let claimers = arguments.dropFirst(2).first.flatMap { Int($0) } ?? 8
        let location = try CatalogLocation(url)
        let setup = try await location.open()
        for index in 0..<jobs {
            try await setup.enqueue(Job(source: "file\(index).mp4", origin: .submit, preset: "default", maxAttempts: 3))
        }
        var stores: [any CatalogStore] = []
        for _ in 0..<claimers { stores.append(try await location.open()) }
        let start = ContinuousClock.now
        let claimed = try await withThrowingTaskGroup(of: [TaskID].self) { group in
            for (index, store) in stores.enumerated() {
                group.addTask {
                    var mine: [TaskID] = []
                    let owner = LeaseOwner(host: "bench", pid: 1, nonce: "claimer\(index)")
                    while let task = try await store.claimNextTask(owner: owner, node: "bench", lease: .seconds(60)) {
                        try await store.completeTask(task.id, owner: owner, segments: 0)
                        mine.append(task.id)
                    }
                    return mine
                }
            }
            var all: [TaskID] = []
            for try await mine in group { all += mine }
            return all
        }
        let seconds = (ContinuousClock.now - start).seconds
        guard claimed.count == jobs, Set(claimed).count == jobs else {
            FileHandle.standardError.write(Data("claimed \(claimed.count) tasks, \(Set(claimed).count) distinct, of \(jobs)\n".utf8))
            exit(1)
        }
        print(#"{"catalog": "\#(location)", "claimers": \#(claimers), "claims": \#(jobs), "seconds": \#(seconds), "perSecond": \#(Double(jobs) / seconds)}"#)
    }
}
