import Foundation
import Hummingbird

/// `bare-route-benchmark PORT FILE`: the ceiling of `bench/serve.sh`. A bare Hummingbird
/// route with no middleware answers every GET with FILE's bytes, read once into memory,
/// as `application/vnd.apple.mpegurl`. What our playlist path does beyond this costs the
/// difference between the two.
@main
enum BareRouteBenchmark {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 3, let port = Int(arguments[1]) else {
            FileHandle.standardError.write(Data("usage: bare-route-benchmark PORT FILE\n".utf8))
            exit(2)
        }
        let bytes = ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: arguments[2])))
        let router = Router()
        router.get("**") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/vnd.apple.mpegurl"], body: .init(byteBuffer: bytes))
        }
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await application.runService()
    }
}
