import Foundation

/// The line protocol between a worker child and its daemon: one `WorkerMessage` as JSON
/// per line on the child's stdout. The child encodes with `line(_:)`; the daemon feeds the
/// bytes it reads to `Reader`, which gives back the messages whole lines hold and drops a
/// line that does not decode (the daemon trusts nothing a child says blindly).
public enum WorkerChannel {
    /// One message as the child writes it: JSON and a newline.
    public static func line(_ message: WorkerMessage) throws -> Data {
        try JSONEncoder().encode(message) + Data("\n".utf8)
    }

    /// Cuts the child's output into lines and decodes each.
    public struct Reader {
        private var buffer = Data()
        private let decoder = JSONDecoder()

        public init() {}

        /// The messages of the lines `bytes` completes; a partial line waits for the rest.
        public mutating func read(_ bytes: Data) -> [WorkerMessage] {
            buffer.append(bytes)
            var messages: [WorkerMessage] = []
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<newline]
                buffer.removeSubrange(buffer.startIndex...newline)
                if let message = try? decoder.decode(WorkerMessage.self, from: line) { messages.append(message) }
            }
            return messages
        }
    }
}
