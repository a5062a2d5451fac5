/// A task's id, `<job>:<kind>:<number>` (`wcj3…:chunk:2`): the job it belongs to, its kind
/// and its number are read from it, never split out of the text by hand.
public struct TaskID: StoredAsText, Hashable, Sendable, CustomStringConvertible {
    public let jobID: String
    public let kind: JobTask.Kind
    /// The chunk's index; 0 for the other kinds.
    public let number: Int

    public init(jobID: String, kind: JobTask.Kind, number: Int = 0) {
        self.jobID = jobID
        self.kind = kind
        self.number = number
    }

    /// Nil for a text that is not a task id.
    public init?(rawValue: String) {
        let parts = rawValue.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, let kind = JobTask.Kind(rawValue: String(parts[1])),
              let number = Int(parts[2]), number >= 0 else { return nil }
        self.init(jobID: String(parts[0]), kind: kind, number: number)
    }

    public var rawValue: String { "\(jobID):\(kind.rawValue):\(number)" }
    public var description: String { rawValue }
}
