import LibAV
import VaultLayout

/// What an audio rendition is encoded as (SPEC §13): the preset's stereo AAC, or beside it
/// the surround E-AC-3 of a title whose source has a track of six channels or more.
public struct AudioFormat: Sendable, Equatable {
    public var codec: AudioCodec
    public var bitrate: Int
    public var channels: Int
    public var sampleRate: Int

    /// The preset's AAC.
    static func stereo(_ settings: Preset.AudioSettings) -> AudioFormat {
        AudioFormat(codec: .aac, bitrate: settings.bitrate, channels: settings.channels, sampleRate: settings.sampleRate)
    }

    /// E-AC-3 at the preset's sample rate: 5.1 for a track of six channels or more (more are
    /// downmixed to 5.1), else the track's own channels at a share of the 5.1 bit rate
    /// (at least 96 kb/s).
    static func surround(_ settings: Preset.SurroundSettings, sampleRate: Int, sourceChannels: Int) -> AudioFormat {
        let channels = min(6, max(1, sourceChannels))
        return AudioFormat(codec: .eac3, bitrate: channels == 6 ? settings.bitrate : max(96_000, settings.bitrate * channels / 6),
                           channels: channels, sampleRate: sampleRate)
    }

    /// Its encoder, headers global as fMP4 wants them.
    func encoder() throws -> Encoder {
        try Encoder(codecName: codec.rawValue, input: .audio(sampleRate: sampleRate, channels: channels),
                    bitRate: bitrate, globalHeader: SegmentWriter.wantsGlobalHeader)
    }

    /// Its RFC 6381 `CODECS` string, from its encoder.
    func codecString(of encoder: Encoder) -> String {
        switch codec {
        case .aac: CodecString.aac(profile: encoder.profile)
        case .eac3: "ec-3"
        }
    }
}
