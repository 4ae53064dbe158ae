#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes every page of the file at `path` to the disk: an fsync on any descriptor of a file
/// covers all of the file's pages. Failures are I/O errors, as SQLite's own would be.
func writeThrough(_ path: String) throws {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw SQLiteDriverError(code: SQLiteResultCode.ioError, message: "cannot open '\(path)' to sync it") }
    defer { close(descriptor) }
    guard fsync(descriptor) == 0 else { throw SQLiteDriverError(code: SQLiteResultCode.ioError, message: "cannot sync '\(path)'") }
}
