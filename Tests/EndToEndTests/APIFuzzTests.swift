import Foundation
import Testing
import TestSupport

/// schemathesis (from PyPI) sends the running daemon requests generated from its own
/// OpenAPI document: no answer may be a 5xx, or fail its documented status, type or schema.
@Suite struct APIFuzzTests {
    @Test func generatedRequestsNeverGetAServerErrorOrAnUndocumentedAnswer() throws {
        // Without a rate limit, so that the generated requests reach the routes behind it.
        let daemon = try Daemon(extra: ["--api-token", "sesame", "--rate-limit", "0"])
        try FileManager.default.copyItem(at: Fixtures.sample("phone-portrait-vfr.mp4"), to: daemon.ingest.appendingPathComponent("Phone (2020).mp4"))
        _ = try daemon.waitForJobs(count: 1, timeout: 60)
        // Raw tus bodies (application/offset+octet-stream) are made by Peers/schemathesis_hooks.py.
        let run = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), [
            "PYTHONPATH=" + Fixtures.repository.appendingPathComponent("Tests/EndToEndTests/Peers").path,
            "SCHEMATHESIS_HOOKS=schemathesis_hooks", "schemathesis", "run", "http://127.0.0.1:\(daemon.port)/api/openapi.json", "-H", "Authorization: Bearer sesame",
            "--max-examples", "40", "--generation-deterministic",
            "--checks", "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance",
        ], currentDirectory: daemon.root)
        let summary = run.stdout.split(separator: "\n").suffix(25).joined(separator: "\n")
        #expect(run.status == 0, "\(summary)\(run.stderr.suffix(2000))")
        #expect(run.stdout.contains(" passed"), "\(summary)")
        #expect(try daemon.get("/healthz").status == 200)
    }
}
