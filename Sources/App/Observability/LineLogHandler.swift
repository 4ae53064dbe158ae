import Foundation
import Logging

/// One line per event, as text (the default) or as a JSON object (`LOG_FORMAT=json`, for log
/// shippers). Metadata is formatted only when a line is written: setting it is on every request's
/// path (its id), and swift-log's `StreamLogHandler` formatted it there, at every set.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let format: AppConfig.LogFormat
    private let write: @Sendable (String) -> Void

    /// Writes to standard output unless told otherwise.
    public init(
        label: String, format: AppConfig.LogFormat, write: @escaping @Sendable (String) -> Void = LineLogHandler.standardOutput
    ) {
        self.label = label
        self.format = format
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let timestamp = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
        switch format {
        case .text:
            let fields = merged.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
            write("\(timestamp) \(event.level) \(label):\(fields) \(event.message)")
        case .json:
            var fields: [String: Any] = [
                "timestamp": timestamp, "level": event.level.rawValue, "label": label, "message": event.message.description,
            ]
            for (key, value) in merged where fields[key] == nil {
                fields[key] = Self.plain(value)
            }
            guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])
            else { return }
            write(String(decoding: data, as: UTF8.self))
        }
    }

    private static func plain(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array(let array): array.map(plain)
        case .dictionary(let dictionary): dictionary.mapValues(plain)
        }
    }

    private static let outputLock = NSLock()

    public static let standardOutput: @Sendable (String) -> Void = { line in
        outputLock.lock()
        defer { outputLock.unlock() }
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
