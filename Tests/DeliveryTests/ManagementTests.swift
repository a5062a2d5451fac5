import Catalog
@testable import Delivery
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VaultLayout

/// `PATCH`/`DELETE /api/media/<id>` and `DELETE /api/jobs/<id>` (SPEC §15), in process.
extension DeliveryTests {
    static let bearer: HTTPFields = [.authorization: "Bearer sesame", .contentType: "application/json"]

    func object(_ buffer: ByteBuffer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any]) ?? [:]
    }

    @Test func aTitlesMetadataIsSetFieldByFieldAndSearchableAtOnce() async throws {
        let edit = #"""
            {"title": "  Le Voyage  ", "originalTitle": "Voyage dans la Lune", "description": "Astronomers fly to the moon",
             "genre": ["Science Fiction", "science fiction", "Short"], "year": 1902, "cast": ["Georges Méliès", "Bleuette Bernon"],
             "director": "Georges Méliès", "studio": "Star Film", "country": "FR", "language": "fr", "tags": ["silent", ""]}
            """#
        try await test { client in
            try await client.execute(uri: "/api/media/\(id)", method: .patch, headers: Self.bearer, body: ByteBuffer(string: edit)) { response in
                #expect(response.status == .ok)
                let document = object(response.body)
                #expect(document["title"] as? String == "Le Voyage" && document["year"] as? Int == 1902)
                #expect(document["genre"] as? [String] == ["Science Fiction", "Short"] && document["tags"] as? [String] == ["silent"])
                #expect(document["cast"] as? [String] == ["Georges Méliès", "Bleuette Bernon"] && document["director"] as? String == "Georges Méliès")
                #expect(document["studio"] as? String == "Star Film" && document["country"] as? String == "FR" && document["language"] as? String == "fr")
                #expect(document["hls"] as? String == "/hls/\(id)/master.m3u8")
            }
            // What is left out stays; null clears the year.
            try await client.execute(uri: "/api/media/\(id)", method: .patch, headers: Self.bearer,
                                     body: ByteBuffer(string: #"{"year": null, "tags": []}"#)) { response in
                let document = object(response.body)
                #expect(response.status == .ok && document["year"] == nil && document["tags"] as? [String] == [])
                #expect(document["title"] as? String == "Le Voyage" && document["studio"] as? String == "Star Film")
            }
            for words in ["astronomers", "voyage%20lune"] {
                try await client.execute(uri: "/api/media/search?q=\(words)", method: .get) { response in
                    #expect(String(buffer: response.body).contains(id), "\(words)")
                }
            }
            try await client.execute(uri: "/api/media/search?q=film", method: .get) { response in
                #expect(!String(buffer: response.body).contains(id), "the old title is no longer found")
            }
        }
        #expect(try await catalog.entry(id: id).map(MediaDocument.init)?.cast == ["Georges Méliès", "Bleuette Bernon"])
    }

    @Test(arguments: [
        (#"{"rating": 5}"#, "rating: is not a metadata field"),
        (#"{"year": "1902"}"#, "year: must be a whole number"),
        (#"{"year": 1902.5}"#, "year: must be a whole number"),
        (#"{"year": true}"#, "year: must be a whole number"),
        (#"{"title": 7}"#, "title: must be a string"),
        (#"{"title": "   "}"#, "title: must not be empty"),
        (#"{"genre": "drama"}"#, "genre: must be an array of strings"),
        (#"{"cast": ["a", 1]}"#, "cast: must be an array of strings"),
        (#"{"language": "english please"}"#, "language: must be a BCP 47 language tag"),
        (#"{"description": "\#(String(repeating: "x", count: 10_001))"}"#, "description: is longer than 10000 characters"),
        (#"{"title": "a\u0007b"}"#, "title: holds a control character"),
        (#"{}"#, "body: names no field to change"),
        (#"[1, 2]"#, "body: must be a JSON object"),
        ("{not json", "body: must be a JSON object"),
    ])
    func aBadMetadataEditIsRefusedNamingTheFieldAndChangesNothing(body: String, error: String) async throws {
        let before = try await catalog.entry(id: id).map(MediaDocument.init)
        try await test { client in
            try await client.execute(uri: "/api/media/\(id)", method: .patch, headers: Self.bearer, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .badRequest)
                let message = (object(response.body)["error"] as? [String: Any])?["message"] as? String ?? ""
                #expect(message.hasPrefix(error), "\(message)")
            }
        }
        #expect(try await catalog.entry(id: id).map(MediaDocument.init) == before)
    }

    @Test func changesNeedTheAPITokenAndUnknownIdsAre404() async throws {
        try await test { client in
            for (method, uri) in [(HTTPRequest.Method.patch, "/api/media/\(id)"), (.delete, "/api/media/\(id)"), (.delete, "/api/jobs/nope")] {
                for headers: HTTPFields in [[:], [.authorization: "Bearer sesame2"], [.authorization: "sesame"], [.authorization: "Bearer "]] {
                    try await client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(string: #"{"title": "X"}"#)) {
                        #expect($0.status == .unauthorized, "\(method) \(uri) \(headers)")
                    }
                }
            }
            try await client.execute(uri: "/api/media/nope", method: .patch, headers: Self.bearer, body: ByteBuffer(string: #"{"title": "X"}"#)) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/api/media/nope", method: .delete, headers: Self.bearer) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/jobs/nope", method: .delete, headers: Self.bearer) { #expect($0.status == .notFound) }
        }
        #expect(try await catalog.entry(id: id).map(MediaDocument.init)?.title == "<Film> & Co")
    }

    @Test func aDeletedTitleIs404AtOnceItsFilesGoAndItsOriginalsStay() async throws {
        let originals = vault.originals(id)
        try FileManager.default.createDirectory(at: originals, withIntermediateDirectories: true)
        try Data("source".utf8).write(to: originals.appendingPathComponent("film.mp4"))
        try await test { client in
            try await client.execute(uri: "/hls/\(id)/master.m3u8", method: .get) { #expect($0.status == .ok) }  // remembered now
            try await client.execute(uri: "/api/media/\(id)", method: .delete, headers: Self.bearer) { response in
                #expect(response.status == .ok && object(response.body)["deleted"] as? [String] == [id])
            }
            for uri in ["/hls/\(id)/master.m3u8", "/hls/\(id)/720p/seg_00001.m4s", "/api/media/\(id)"] {
                try await client.execute(uri: uri, method: .get) { #expect($0.status == .notFound, "\(uri)") }
            }
            try await client.execute(uri: "/api/media/\(id)", method: .delete, headers: Self.bearer) { #expect($0.status == .notFound) }
        }
        #expect(!FileManager.default.fileExists(atPath: vault.media(id).path))
        #expect(try Data(contentsOf: originals.appendingPathComponent("film.mp4")) == Data("source".utf8))
    }

    @Test func aJobIsCancelledOverHTTPAndAnEndedOneIsAConflict() async throws {
        let running = Job(source: "now.mp4", origin: .api, preset: "default", maxAttempts: 3)
        try await catalog.enqueue(running)
        _ = try await catalog.claimNextTask(owner: LeaseOwner(host: "test", pid: 1, nonce: "me"), node: "n", lease: .seconds(30))
        let queued = Job(source: "next.mp4", origin: .api, preset: "default", maxAttempts: 3)
        try await catalog.enqueue(queued)
        try await test { client in
            try await client.execute(uri: "/api/jobs/\(running.id)", method: .delete, headers: Self.bearer) { response in
                #expect(response.status == .accepted && object(response.body)["state"] as? String == "running")
            }
            try await client.execute(uri: "/api/jobs/\(queued.id)", method: .delete, headers: Self.bearer) { response in
                #expect(response.status == .ok && object(response.body)["state"] as? String == "cancelled")
            }
            try await client.execute(uri: "/api/jobs/\(queued.id)", method: .delete, headers: Self.bearer) { response in
                #expect(response.status == .conflict && String(buffer: response.body).contains("job_ended"))
            }
        }
        #expect(try await catalog.job(id: queued.id)?.state == .cancelled)
        #expect(try await catalog.tasksToStop(owner: LeaseOwner(host: "test", pid: 1, nonce: "me")).map(\.jobID).contains(running.id))
    }
}
