/// An audio rendition's codec, which is also its group in the master playlist (SPEC §13).
public enum AudioCodec: String, Codable, Sendable, CaseIterable {
    /// AAC-LC, stereo: the `aac` group every title with audio has.
    case aac
    /// E-AC-3, 5.1 where the source has it: the `eac3` group beside it.
    case eac3
}
