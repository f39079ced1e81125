import ActivityModel

/// Why the store refused or failed an operation.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// The decision the caller has to make.
    public enum Code: Sendable, Equatable {
        /// The record does not exist.
        case notFound
        /// The input broke a rule; nothing was written.
        case invalid
        /// Another daemon holds the store.
        case locked
        /// SQLite or the file system failed.
        case database
        /// A stored record cannot be read (a damaged store); the others can.
        case corrupt
        /// Another process held a write longer than the busy timeout: try again soon.
        case busy
    }

    /// The kind of failure.
    public var code: Code
    /// A readable explanation naming the record, field and value.
    public var message: String
    /// The broken rules, for `.invalid`.
    public var validation: ValidationError?

    init(_ code: Code, _ message: String, validation: ValidationError? = nil) {
        self.code = code
        self.message = message
        self.validation = validation
    }

    static func invalid(_ error: ValidationError) -> StoreError {
        StoreError(.invalid, error.description, validation: error)
    }

    public var description: String { message }
}

/// Who made a change: the sync engine's own writes are tagged so they are not sent back (echo suppression).
public enum ChangeOrigin: String, Sendable {
    /// A CLI or import write: a local change the sync engine must send to Exchange.
    case local
    /// Written by the sync engine from Exchange.
    case sync
}

extension StoreError {
    /// A refusal decided by the caller inside a store operation (nothing is written).
    public static func refused(_ message: String) -> StoreError { StoreError(.invalid, message) }
}
