import Foundation
import OrchestratorDomain

/// How both metadata stores keep a ``ModuleInterface``: one JSON text column.
/// The interface is read whole and never queried inside, so a column per
/// field would only add migrations.
public enum InterfaceCoding {
    public static func encode(_ interface: ModuleInterface) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(interface), as: UTF8.self)
    }

    public static func decode(_ text: String) -> ModuleInterface? {
        try? JSONDecoder().decode(ModuleInterface.self, from: Data(text.utf8))
    }
}
