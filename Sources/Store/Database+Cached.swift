import GRDB

extension Database {
    /// Runs a statement compiled once per connection and kept. The sync's bookkeeping runs the same few statements
    /// per item; compiled per call, SQLite's parser and GRDB's statement authorizer were a fifth of a bulk first
    /// sync's CPU (issue 17's profile).
    func executeCached(sql: String, arguments: StatementArguments) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
