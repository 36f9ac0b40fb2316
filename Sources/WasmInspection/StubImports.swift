@_spi(Fuzzing) import WasmKit
import WasmParser

/// Placeholder values for every import, so a module can be instantiated
/// (and therefore validated) without its real host. None is ever called:
/// the start function is dropped before instantiation.
enum StubImports {
    static func make(for module: Module, store: Store) throws -> Imports {
        var imports = Imports()
        for entry in module.imports {
            let value: any ExternalValueConvertible
            switch entry.descriptor {
            case .function(let typeIndex):
                guard let type = module.functionType(at: typeIndex) else {
                    throw InspectionFailure(.invalid, "import \(entry.module).\(entry.name) names type \(typeIndex), which is not a function type")
                }
                value = Function(store: store, type: type) { _, _ in
                    throw StubCalledError()
                }
            case .global(let globalType):
                value = try Global(store: store, type: globalType, value: zero(of: globalType.valueType))
            case .memory(let memoryType):
                value = try Memory(store: store, type: memoryType)
            case .table(let tableType):
                value = try Table(store: store, type: tableType)
            case .tag(let typeIndex):
                guard let type = module.functionType(at: typeIndex) else {
                    throw InspectionFailure(
                        .invalid, "tag import \(entry.module).\(entry.name) names type \(typeIndex), which is not a function type")
                }
                value = Tag(store: store, type: type)
            }
            imports.define(module: entry.module, name: entry.name, value.externalValue)
        }
        return imports
    }

    static func zero(of type: ValueType) -> Value {
        switch type {
        case .i32: .i32(0)
        case .i64: .i64(0)
        case .f32: .f32(0)
        case .f64: .f64(0)
        case .v128: .v128(V128(bytes: Array(repeating: 0, count: 16)))
        case .ref(let reference): reference.heapType == .externRef ? .ref(.extern(nil)) : .ref(.function(nil))
        }
    }

    struct StubCalledError: Error, CustomStringConvertible {
        var description: String { "a stub import was called during validation" }
    }
}
