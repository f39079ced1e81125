import CLibXML2
import Foundation

/// The process-wide libxml2 external entity loader, replaced so that nothing is ever loaded from disk
/// or network, with one exception: the folder of a schema being compiled (ews-validate.xsd must
/// `xs:import` messages.xsd and types.xsd). libxml2 has one loader per process, which is why this
/// allow-list is global and not per parse.
enum EntityLoaderGuard {
    private final class State: @unchecked Sendable {
        let lock = NSLock()
        var allowedFolders: [String] = []
        var defaultLoader: xmlExternalEntityLoader?
    }

    private static let state = State()

    /// Installs the guarded loader (once, from `XMLParser.prepare`).
    static func install() {
        state.lock.lock()
        defer { state.lock.unlock() }
        guard state.defaultLoader == nil else { return }
        state.defaultLoader = xmlGetExternalEntityLoader()
        xmlSetExternalEntityLoader { url, id, context in
            guard let url, EntityLoaderGuard.isAllowed(String(cString: url)),
                let loader = EntityLoaderGuard.defaultLoader()
            else { return nil }
            return loader(url, id, context)
        }
    }

    /// Allows files directly below `folder` to be loaded (schema imports).
    static func allow(folder: String) {
        state.lock.lock()
        defer { state.lock.unlock() }
        let normalized = folder.hasSuffix("/") ? folder : folder + "/"
        if !state.allowedFolders.contains(normalized) { state.allowedFolders.append(normalized) }
    }

    private static func defaultLoader() -> xmlExternalEntityLoader? {
        state.lock.lock()
        defer { state.lock.unlock() }
        return state.defaultLoader
    }

    private static func isAllowed(_ url: String) -> Bool {
        let path = url.hasPrefix("file://") ? String(url.dropFirst(7)) : url
        guard !path.contains("..") else { return false }
        state.lock.lock()
        defer { state.lock.unlock() }
        return state.allowedFolders.contains { path.hasPrefix($0) && !path.dropFirst($0.count).contains("/") }
    }
}
