/// Why a catalog cannot be opened or used, in words (a password is never shown).
public enum CatalogError: Error, CustomStringConvertible, Sendable {
    /// `--catalog` is not a catalog URL.
    case badLocation(String, reason: String)
    /// The catalog was migrated by a newer StreamVault.
    case newerSchema(catalog: String)
    /// The catalog's server cannot be reached (yet).
    case unreachable(reason: String)
    /// The catalog's server refused a request.
    case failed(reason: String)

    public var description: String {
        switch self {
        case let .badLocation(text, reason):
            "--catalog \(text): \(reason) (expected sqlite:PATH or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE&sslrootcert=FILE])"
        case let .newerSchema(catalog):
            "\(catalog) was made by a newer StreamVault: upgrade this binary to use it"
        case let .unreachable(reason):
            "catalog unreachable: \(reason)"
        case let .failed(reason):
            "catalog: \(reason)"
        }
    }
}
