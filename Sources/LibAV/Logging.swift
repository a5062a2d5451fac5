import CLibAV
import Logging

/// Routes libav's own log lines into swift-log, at a chosen verbosity.
public enum LibAVLog {
    private static let logger = Logger(label: "libav")

    /// Silences libav entirely: our own errors say what went wrong, once.
    public static func silence() {
        av_log_set_level(AV_LOG_QUIET)
    }

    /// Lets libav lines at or above `level` through (`.error` keeps FFmpeg quiet but for errors).
    public static func route(level: Logger.Level) {
        let avLevel: Int32 = switch level {
        case .trace: AV_LOG_TRACE
        case .debug: AV_LOG_VERBOSE
        case .info, .notice: AV_LOG_INFO
        case .warning: AV_LOG_WARNING
        case .error: AV_LOG_ERROR
        case .critical: AV_LOG_FATAL
        }
        av_log_set_level(avLevel)
        sv_set_log_handler { level, line in
            guard let line else { return }
            var text = String(cString: line)
            while text.last?.isNewline == true { text.removeLast() }
            guard !text.isEmpty else { return }
            switch level {
            case ...AV_LOG_ERROR: LibAVLog.logger.error("\(text)")
            case ...AV_LOG_WARNING: LibAVLog.logger.warning("\(text)")
            case ...AV_LOG_INFO: LibAVLog.logger.info("\(text)")
            default: LibAVLog.logger.debug("\(text)")
            }
        }
    }
}
