import Catalog
@testable import Delivery
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// Playback starts counted from the playlist path, `/api/media/trending` and
/// `/api/media/<id>/similar` (SPEC §15), in process.
extension DeliveryTests {
    @Test func aMasterPlaylistFetchedCountsOneStartPerClientAndHour() async throws {
        let starts = PlaybackStarts(catalog: catalog)
        try await Application(router: server().router(starts: starts)).test(.router) { client in
            for _ in 0..<3 {
                try await client.execute(uri: "/hls/\(id)/master.m3u8", method: .get) { #expect($0.status == .ok) }
            }
            // Neither a media playlist, a segment, nor a HEAD is a start.
            try await client.execute(uri: "/hls/\(id)/720p/seg_00001.m4s", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/hls/\(id)/master.m3u8", method: .head) { #expect($0.status == .ok) }
            await starts.flush(logger: Logger(label: "test"))
            try await client.execute(uri: "/api/media/\(id)", method: .get) { response in
                #expect(object(response.body)["views"] as? Int == 1)
            }
            try await client.execute(uri: "/api/media/trending", method: .get) { response in
                #expect(response.status == .ok)
                let items = object(response.body)["items"] as? [[String: Any]]
                #expect(items?.map { $0["id"] as? String } == [id])
            }
            try await client.execute(uri: "/api/media/trending?limit=0", method: .get) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/api/media/\(id)/similar", method: .get) { response in
                #expect(response.status == .ok && (object(response.body)["items"] as? [Any])?.isEmpty == true)
            }
            try await client.execute(uri: "/api/media/nope/similar", method: .get) { #expect($0.status == .notFound) }
        }
    }
}
