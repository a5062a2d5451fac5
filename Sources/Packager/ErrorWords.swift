import Foundation
import Glibc

/// An error in the words a user reads: a file system error as its path and the system's
/// reason ("…/poster.jpg: No space left on device"), not Foundation's domain and code.
public enum ErrorWords {
    public static func describe(_ error: Error) -> String {
        if let error = error as? PackagingError { return error.description }
        var path: String?, code: Int32?
        if let error = error as? CocoaError {
            path = error.filePath ?? error.url?.path
            code = (error.underlying as? POSIXError)?.code.rawValue ?? (error.underlying as? NSError).flatMap {
                $0.domain == NSPOSIXErrorDomain ? Int32($0.code) : nil
            }
        } else if let error = error as? POSIXError {
            code = error.code.rawValue
        }
        guard let code else { return "\(error)" }
        let reason = String(cString: strerror(code))
        return path.map { "\($0): \(reason)" } ?? reason
    }
}
