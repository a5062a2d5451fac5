import Foundation
import LibAV

/// The rungs of a chunk, each encoding on a thread of its own: the packaging thread hands
/// every picture to the largest rung, and each rung hands the picture it encoded (scaled
/// from the one above) to the next smaller one, through queues of a few pictures. Decoding,
/// scaling and every encoder then run side by side on the cores — without x264's frame
/// threads where cores are few, which hold more pictures (a 1080p veryfast encoder: 160 MiB
/// single-threaded, 235 MiB with 3 frame threads, measured).
final class RungPipeline {
    private let stages: [Stage]

    /// Takes ownership of `rungs` (largest first); their threads start at once.
    init(rungs: [RungEncoder]) {
        var stages: [Stage] = []
        for rung in rungs.reversed() { stages.insert(Stage(rung: rung, next: stages.first), at: 0) }
        self.stages = stages
        for stage in stages { stage.start() }
    }

    /// Queues `picture` (a reference the pipeline keeps) for every rung; waits while the
    /// first rung is a few pictures behind. Throws the error a rung failed with.
    func submit(_ picture: Frame, keyframe: Bool) throws { try stages.first?.submit(picture, keyframe: keyframe) }

    /// Encodes what is queued, drains every encoder and closes its last segment.
    func finish() throws {
        stages.first?.close()
        for stage in stages { try stage.waitUntilDone() }
    }

    /// Stops early (the chunk failed): what is queued is finished, errors are dropped.
    func abandon() {
        stages.first?.close()
        for stage in stages { try? stage.waitUntilDone() }
    }
}

/// One rung's thread and its queue. The rung encoder belongs to this thread once started.
private final class Stage: @unchecked Sendable {
    static let depth = 3
    private let rung: RungEncoder
    private let next: Stage?
    private let condition = NSCondition()
    private var queue: [(picture: Frame, keyframe: Bool)] = []
    private var closed = false
    private var done = false
    private var failure: Error?

    init(rung: RungEncoder, next: Stage?) {
        self.rung = rung
        self.next = next
    }

    func start() { Thread { self.run() }.start() }

    func submit(_ picture: Frame, keyframe: Bool) throws {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= Self.depth, failure == nil, !done { condition.wait() }
        if let failure { throw failure }
        queue.append((picture, keyframe))
        condition.broadcast()
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    func waitUntilDone() throws {
        condition.lock()
        defer { condition.unlock() }
        while !done { condition.wait() }
        if let failure { throw failure }
    }

    private func run() {
        do {
            while let (picture, keyframe) = take() {
                let encoded = try rung.encode(picture, keyframe: keyframe)
                try next?.submit(encoded, keyframe: keyframe)
            }
            // Every picture is passed on: the smaller rungs drain their encoders meanwhile.
            next?.close()
            try rung.finish()
        } catch {
            condition.lock()
            failure = error
            condition.unlock()
        }
        next?.close()
        condition.lock()
        done = true
        queue.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// The next queued picture; nil once the queue is closed and empty, or a rung failed.
    private func take() -> (Frame, Bool)? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty, !closed { condition.wait() }
        guard !queue.isEmpty else { return nil }
        let first = queue.removeFirst()
        condition.broadcast()
        return first
    }
}
