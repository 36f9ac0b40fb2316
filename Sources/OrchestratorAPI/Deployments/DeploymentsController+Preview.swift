import Deployments
import Hummingbird
import OrchestratorDomain

extension DeploymentsController {
    /// `POST /deployments?dryRun=true`: the creation body, decoded and checked as creation does (same 4xx),
    /// answered `200` with the plan; creates, audits and remembers nothing. An `Idempotency-Key` is ignored:
    /// a dry run changes nothing, so there is nothing to replay (and it does not use up the key).
    /// The caller is authorized by ``create(_:context:)`` before it gets here.
    func preview(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(CreateDeploymentRequest.self, limit: Self.bodyLimit)
        let plan = try await deployments.preview(try body.spec(settings: deployments.settings))
        return try DeploymentPlanBody(plan).response(from: request, context: context)
    }
}
