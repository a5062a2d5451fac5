import GRDB

// How the catalog's values are stored in SQLite: one table each, columns named as their
// properties (GRDB's Codable records).

extension Job: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "job"
}

extension JobTask: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "jobTask"
}

extension Media: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "media"
}

extension Series: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "series"
}

extension Rendition: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "rendition"
}

extension AudioTrack: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "audioTrack"
}

extension SubtitleTrack: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "subtitleTrack"
}

extension DaemonStatus: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "daemon"
}

extension UploadSession: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "upload"
}

extension UploadGrant: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "uploadGrant"
}

extension Job.State: DatabaseValueConvertible {}
extension Job.Origin: DatabaseValueConvertible {}
extension JobTask.Kind: DatabaseValueConvertible {}
extension JobTask.State: DatabaseValueConvertible {}
extension Media.Status: DatabaseValueConvertible {}
extension Job.Stage: DatabaseValueConvertible {}
extension MediaType: DatabaseValueConvertible {}
extension TaskID: DatabaseValueConvertible {}
extension LeaseOwner: DatabaseValueConvertible {}
