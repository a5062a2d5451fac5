import ArgumentParser
import Catalog
import Foundation
import VaultLayout

/// `streamvault media list|show|delete`: the catalog of published titles.
struct MediaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media", abstract: "List, show or delete published titles.",
        subcommands: [List.self, Show.self, Delete.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Movies and series, newest first.")
        @Option(help: "Only this type (\(MediaType.list)).") var type: MediaType?
        @OptionGroup var options: CommonOptions

        func run() async throws {
            options.bootstrapLogging()
            let (items, total) = try await withCatalog(options) { try await $0.list(type: type, genre: nil, page: 1, limit: 10_000) }
            if options.json { return try options.printJSON(["items": items]) }
            if total == 0 { print("no titles") }
            for item in items {
                let detail = item.seasons.isEmpty
                    ? String(format: "%.1f min, %@", item.duration, item.sources.map(\.quality).joined(separator: "/"))
                    : "\(item.seasons.reduce(0) { $0 + $1.episodes.count }) episode(s)"
                print("\(item.id)  \(item.type.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(item.title)"
                      + (item.year.map { " (\($0))" } ?? "") + "  — \(detail)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One title, as the API shows it.")
        @Argument(help: "The title id.") var id: String
        @OptionGroup var options: CommonOptions

        func run() async throws {
            options.bootstrapLogging()
            guard let document = try await withCatalog(options, { try await $0.document(id: id) }) else {
                throw OperationFailed(NotFound(what: "title \(id)"))
            }
            if options.json { return try options.printJSON(document) }
            var lines = ["\(document.title)\(document.year.map { " (\($0))" } ?? "")  [\(document.type.rawValue)]  id \(document.id)"]
            if let hls = document.hls { lines.append("  stream    \(hls)") }
            for source in document.sources {
                lines.append("  \(source.quality.padding(toLength: 9, withPad: " ", startingAt: 0)) \(source.width)x\(source.height) \(source.bandwidth / 1000) kb/s  \(source.codecs)")
            }
            for dub in document.dubbing { lines.append("  audio     \(dub.language) \(dub.name)\(dub.default ? " (default)" : "")") }
            for subtitle in document.subtitles { lines.append("  subtitles \(subtitle.language) \(subtitle.name)") }
            for season in document.seasons {
                for episode in season.episodes {
                    lines.append(String(format: "  S%02dE%02d  %@  %@", season.number, episode.number, episode.id, episode.title))
                }
            }
            print(lines.joined(separator: "\n"))
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a title (a series with its episodes) from the catalog and media/; its originals stay.")
        @Argument(help: "The title id.") var id: String
        @OptionGroup var options: CommonOptions

        func run() async throws {
            options.bootstrapLogging()
            let vault = Vault(root: options.rootURL)
            let removed = try await withCatalog(options) { try await $0.delete(id: id) }
            if removed.isEmpty { throw OperationFailed(NotFound(what: "title \(id)")) }
            for title in removed { try? FileManager.default.removeItem(at: vault.media(title)) }
            if options.json { return try options.printJSON(["deleted": removed]) }
            print("deleted \(removed.joined(separator: ", "))")
        }
    }
}
