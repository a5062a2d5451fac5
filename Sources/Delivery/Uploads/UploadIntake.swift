import Catalog
import Foundation

/// What the server needs to take uploads (SPEC §15), given by `serve`: its limits, which
/// presets exist, and how a complete upload becomes a job (the daemon's `JobSubmission`,
/// never through `ingest/`).
public struct UploadIntake: Sendable {
    /// Queues the complete file `file` (under `<root>/uploads/`) with the metadata's title,
    /// type and preset (nil: the daemon's `--preset`).
    public typealias Submit = @Sendable (_ file: URL, _ title: String?, _ type: Catalog.MediaType?, _ preset: String?) async throws -> Job

    /// `--max-upload`: the largest Upload-Length taken.
    public var maxBytes: Int64
    /// `--upload-expiry`: how long an incomplete upload is kept.
    public var expiry: Duration
    /// How long a one-time upload URL may be used.
    public var grantLifetime: Duration
    public var presetExists: @Sendable (String) -> Bool
    public var submit: Submit

    public init(maxBytes: Int64 = 50 << 30, expiry: Duration = .seconds(86_400), grantLifetime: Duration = .seconds(86_400),
                presetExists: @escaping @Sendable (String) -> Bool, submit: @escaping Submit) {
        self.maxBytes = maxBytes
        self.expiry = expiry
        self.grantLifetime = grantLifetime
        self.presetExists = presetExists
        self.submit = submit
    }
}
