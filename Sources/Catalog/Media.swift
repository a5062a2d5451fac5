import Foundation
import VaultLayout

/// A playable title: a movie (or anime, cartoon, game video) or one episode of a series.
/// Its files are `media/<id>/`, served as `/hls/<id>/…`.
public struct Media: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    /// What kind of title; an episode carries its series' type.
    public var type: MediaType
    public var title: String
    public var originalTitle: String
    public var year: Int?
    public var description: String
    public var genre: [String]
    public var details: TitleDetails
    public var durationSeconds: Double
    /// Set for an episode: its series, season and number.
    public var seriesId: String?
    public var seasonNumber: Int?
    public var episodeNumber: Int?
    /// SHA-256 of the source file, hex: the same content is never packaged twice.
    public var digest: String
    /// The file name as dropped or submitted.
    public var source: String
    public var hasPoster: Bool
    public var hasStoryboard: Bool
    /// Whether it has an MPEG-DASH manifest (fMP4 titles, SPEC §14).
    public var hasDash: Bool
    /// Processing while it is packaged and already playable (SPEC §10), then ready.
    public var status: Status
    public var createdAt: Date
    public var updatedAt: Date

    public enum Status: String, Codable, Sendable {
        case processing, ready
    }

    public init(id: String, type: MediaType, title: String, originalTitle: String = "", year: Int? = nil,
                description: String = "", genre: [String] = [], details: TitleDetails = TitleDetails(), durationSeconds: Double, seriesId: String? = nil,
                seasonNumber: Int? = nil, episodeNumber: Int? = nil, digest: String, source: String,
                hasPoster: Bool, hasStoryboard: Bool, hasDash: Bool = false, status: Status = .ready, createdAt: Date = Date()) {
        self.id = id
        self.type = type
        self.title = title
        self.originalTitle = originalTitle
        self.year = year
        self.description = description
        self.genre = genre
        self.details = details
        self.durationSeconds = durationSeconds
        self.seriesId = seriesId
        self.seasonNumber = seasonNumber
        self.episodeNumber = episodeNumber
        self.digest = digest
        self.source = source
        self.hasPoster = hasPoster
        self.hasStoryboard = hasStoryboard
        self.hasDash = hasDash
        self.status = status
        self.createdAt = createdAt
        updatedAt = createdAt
    }
}

/// A series (or anime / cartoon series): gathers its episodes, which are `Media` rows.
public struct Series: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var type: MediaType
    public var title: String
    public var originalTitle: String
    public var year: Int?
    public var description: String
    public var genre: [String]
    public var details: TitleDetails
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String = CatalogID.make(), type: MediaType, title: String, year: Int? = nil, createdAt: Date = Date()) {
        self.id = id
        self.type = type
        self.title = title
        originalTitle = ""
        self.year = year
        description = ""
        genre = []
        details = TitleDetails()
        self.createdAt = createdAt
        updatedAt = createdAt
    }
}

/// One video rung of a title (a "source" in the API).
public struct Rendition: Codable, Sendable, Equatable {
    public var mediaId: String
    /// The rung's name: 480p, 720p…
    public var quality: String
    public var width: Int
    public var height: Int
    /// Bytes of its segments.
    public var size: Int
    /// Bits per second, audio included, as in the master playlist.
    public var bandwidth: Int
    public var averageBandwidth: Int
    public var codecs: String
    /// Path of its media playlist inside the title (`720p/index.m3u8`).
    public var playlist: String
    public var iFramePlaylist: String?

    public init(mediaId: String, quality: String, width: Int, height: Int, size: Int, bandwidth: Int,
                averageBandwidth: Int, codecs: String, playlist: String, iFramePlaylist: String?) {
        self.mediaId = mediaId
        self.quality = quality
        self.width = width
        self.height = height
        self.size = size
        self.bandwidth = bandwidth
        self.averageBandwidth = averageBandwidth
        self.codecs = codecs
        self.playlist = playlist
        self.iFramePlaylist = iFramePlaylist
    }
}

/// One audio rendition of a title: a language of the source, or a dub, in AAC or E-AC-3.
public struct AudioTrack: Codable, Sendable, Equatable {
    public var mediaId: String
    /// BCP 47 tag.
    public var language: String
    public var name: String
    public var isDefault: Bool
    public var isDub: Bool
    public var channels: Int
    public var playlist: String
    public var codec: AudioCodec

    public init(mediaId: String, language: String, name: String, isDefault: Bool, isDub: Bool, channels: Int, playlist: String,
                codec: AudioCodec = .aac) {
        self.mediaId = mediaId
        self.language = language
        self.name = name
        self.isDefault = isDefault
        self.isDub = isDub
        self.channels = channels
        self.playlist = playlist
        self.codec = codec
    }
}

/// One subtitle rendition of a title.
public struct SubtitleTrack: Codable, Sendable, Equatable {
    public var mediaId: String
    public var language: String
    public var name: String
    public var isForced: Bool
    public var isHearingImpaired: Bool
    public var playlist: String
    /// The whole track as one WebVTT file (`subs/en.vtt`).
    public var file: String

    public init(mediaId: String, language: String, name: String, isForced: Bool, isHearingImpaired: Bool,
                playlist: String, file: String) {
        self.mediaId = mediaId
        self.language = language
        self.name = name
        self.isForced = isForced
        self.isHearingImpaired = isHearingImpaired
        self.playlist = playlist
        self.file = file
    }
}
