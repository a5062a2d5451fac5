import ArgumentParser
import Catalog
import Foundation
import VaultLayout

/// `streamvault media list|show|edit|delete`: the catalog of published titles.
struct MediaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media", abstract: "List, show, edit or delete published titles.",
        subcommands: [List.self, Show.self, Edit.self, Delete.self])

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

    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a title's metadata (as PATCH /api/media/<id> does); what is not given stays.",
            discussion: "A list option given once or more replaces the list; --genre \"\" empties it.")
        @Argument(help: "The title id (a movie, an episode or a series).") var id: String
        @Option var title: String?
        @Option var originalTitle: String?
        @Option var description: String?
        @Option(help: "A genre (repeat for several).") var genre: [String] = []
        @Option(help: "The year it came out.") var year: Int?
        @Flag(help: "Remove the year.") var noYear = false
        @Option(help: "A cast member (repeat for several).") var cast: [String] = []
        @Option var director: String?
        @Option var studio: String?
        @Option var country: String?
        @Option(help: "Its original language, a BCP 47 tag (en, pt-BR).") var language: String?
        @Option(help: "A tag (repeat for several).") var tag: [String] = []
        @OptionGroup var options: CommonOptions

        func run() async throws {
            options.bootstrapLogging()
            var edit = MetadataEdit()
            (edit.title, edit.originalTitle, edit.description) = (title, originalTitle, description)
            (edit.director, edit.studio, edit.country, edit.language) = (director, studio, country, language)
            (edit.genre, edit.cast, edit.tags) = (genre.isEmpty ? nil : genre, cast.isEmpty ? nil : cast, tag.isEmpty ? nil : tag)
            if noYear { edit.year = .some(nil) } else if let year { edit.year = year }
            guard !edit.isEmpty else { throw ValidationError("give at least one field to set (see --help)") }
            do { edit = try edit.validated() } catch { throw ValidationError(error.description) }
            let document = try await withCatalog(options) { catalog in
                try await catalog.edit(id: id, edit) ? try await catalog.document(id: id) : nil
            }
            guard let document else { throw OperationFailed(NotFound(what: "title \(id)")) }
            if options.json { return try options.printJSON(document) }
            print("edited \(document.id): \(document.title)")
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
            let removed = try await withCatalog(options) { try await $0.remove(title: id, from: vault) }
            if removed.isEmpty { throw OperationFailed(NotFound(what: "title \(id)")) }
            if options.json { return try options.printJSON(["deleted": removed]) }
            print("deleted \(removed.joined(separator: ", "))")
        }
    }
}
