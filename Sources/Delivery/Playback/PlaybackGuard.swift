import Foundation
import HTTPTypes
import Hummingbird
import VaultLayout

/// With `--playback-keys`, every request under `/hls/<id>/` and `/keys/<id>` needs a token
/// (SPEC §12), checked here before any file is touched: its signature and times
/// (`PlaybackTokenVerifier`), then its scope — this title, its series, or `*` — and, for a
/// video rung's files, `maxHeight`. A token for another title is `token_scope` whether the
/// asked-for title exists or not. An address whose tokens were refused 10 times in 15
/// minutes gets 429 here until that window ends, without a token being looked at.
struct PlaybackGuard: RouterMiddleware {
    typealias Context = DeliveryContext

    static let refusalsAllowed = 10
    static let refusalWindow = Duration.seconds(15 * 60)

    let verifier: PlaybackTokenVerifier
    let titles: PublishedTitles
    let clients: ClientAddresses
    let refusals = AddressCounter(window: refusalWindow)

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method != .options, let (id, rest) = Self.protectedTitle(request.uri.path) else {
            return try await next(request, context)
        }
        let address = clients.address(of: request, peer: context.remoteAddress)
        let seen = refusals.reading(address)
        if seen.count >= Self.refusalsAllowed { throw PlaybackRefusal.tooManyRefusals(retryAfter: seen.secondsLeft).apiError }
        guard let token = Self.token(of: request) else { throw PlaybackRefusal.required.apiError }
        var context = context
        do throws(PlaybackRefusal) {
            let grant = try await verifier.grant(for: token)
            try await checkScope(of: grant, id: id, rest: rest)
            context.grant = grant
        } catch {
            refusals.record(address)
            throw error.apiError
        }
        return try await next(request, context)
    }

    /// The title id of a protected path and what follows it (`/hls/<id>/720p/seg_00001.m4s`
    /// → `<id>`, `720p/seg_00001.m4s`; `/keys/<id>` → `<id>`, ``).
    static func protectedTitle(_ path: String) -> (id: Substring, rest: Substring)? {
        for prefix in [TitleLayout.servedPrefix, TitleLayout.keyPrefix] where path.hasPrefix(prefix) {
            let tail = path.dropFirst(prefix.count)
            let slash = tail.firstIndex(of: "/") ?? tail.endIndex
            guard slash > tail.startIndex else { return nil }
            return (tail[..<slash], slash < tail.endIndex ? tail[tail.index(after: slash)...] : "")
        }
        return nil
    }

    /// `?token=` or `Authorization: Bearer`; the query wins, as players put it there.
    static func token(of request: Request) -> String? {
        if let query = request.uri.queryParameters["token"], !query.isEmpty { return String(query) }
        guard let header = request.headers[.authorization], header.count > 7,
              header.prefix(7).lowercased() == "bearer " else { return nil }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    private func checkScope(of grant: PlaybackGrant, id: Substring, rest: Substring) async throws(PlaybackRefusal) {
        let outOfScope = PlaybackRefusal.scope("the token does not open this title")
        var title: PublishedTitles.Title?
        switch grant.scope {
        case .everything: break
        case .title(let allowed) where allowed == id: break
        case .title(let allowed):
            title = try? await titles.title(String(id))
            guard let series = title?.seriesId, series == allowed else { throw outOfScope }
        }
        guard let maxHeight = grant.maxHeight, let folder = rest.split(separator: "/").first else { return }
        if title == nil { title = try? await titles.title(String(id)) }
        if let height = title?.rungHeights[String(folder)], height > maxHeight {
            throw .scope("the token opens variants up to \(maxHeight) lines; this one has \(height)")
        }
    }
}
