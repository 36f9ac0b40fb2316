import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import OrchestratorAPI
import OrchestratorApp
import OrchestratorDomain
import OrchestratorPorts
import Testing
import WasmFixtures

/// Log lines written by the use cases (far from the HTTP layer) carry the request id.
@Suite("Request ids in use-case logs")
struct RequestLogContextTests {
    @Test("the registry's 'registered module version' line carries the request's X-Request-ID")
    func useCaseLineCarriesRequestID() async throws {
        let lines = CapturingLogHandler.Lines()
        let logger = CapturingLogHandler.logger(into: lines, provider: LoggingBootstrap.metadataProvider)
        let server = try await TestServer()
        try await server.run(logger: logger) { client, server in
            let token = try await server.token(role: .deployer)
            var headers = ModuleEndpointTests.wasmHeaders(token)
            headers[.requestID] = "req-log-1"
            let response = try await client.execute(
                uri: "\(ModuleEndpointTests.base)/hello/versions/1.0.0", method: .put, headers: headers, body: ByteBuffer(bytes: WasmFixtures.hello())
            ) { $0 }
            #expect(response.status == .created)
            #expect(response.headers[.requestID] == "req-log-1")
        }
        let registered = lines.all.filter { $0.message == "registered module version" }
        #expect(registered.count == 1)
        #expect(registered.first?.metadata[RequestLogContext.metadataKey] == .string("req-log-1"))
    }

    @Test("lines outside a request (background loops) get no request id; inside, the bound one")
    func onlyInsideARequest() async {
        let lines = CapturingLogHandler.Lines()
        let logger = CapturingLogHandler.logger(into: lines, provider: LoggingBootstrap.metadataProvider)
        logger.info("outside")
        await RequestLogContext.$requestID.withValue("req-2") {
            await Task.yield()
            logger.info("inside")
        }
        #expect(lines.all.map(\.message) == ["outside", "inside"])
        #expect(lines.all.first?.metadata[RequestLogContext.metadataKey] == nil)
        #expect(lines.all.last?.metadata[RequestLogContext.metadataKey] == .string("req-2"))
    }
}
