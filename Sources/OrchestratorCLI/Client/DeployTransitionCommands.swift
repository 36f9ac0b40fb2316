import ArgumentParser
import OrchestratorClient

/// What every transition takes: the deployment id and the optional request headers.
struct TransitionOptions: ParsableArguments {
    @Argument(help: "Deployment id.") var id: String
    @Option(help: "Idempotency-Key: a retry with the same key replays the first answer.") var idempotencyKey: String?
    @Option(help: "Only if the deployment is still at this ETag (e.g. '\"r7\"'); else 412.") var ifMatch: String?

    /// `POST /deployments/{id}/<action>` with `body`, printing the deployment's new headline (or its JSON).
    func post(_ action: String, body: JSONValue? = nil, options: ClientOptions) async throws {
        let headers = [("Idempotency-Key", idempotencyKey), ("If-Match", ifMatch)].compactMap { name, value in value.map { (name, $0) } }
        try await options.run { client in
            let response = try await client.send(.POST, "/deployments/\(APIClient.encode(id))/\(action)", json: body, headers: headers)
            try options.output.print(response) { DeploymentSnapshot(deployment: $0, nodes: []).headline + "\n" }
        }
    }
}

/// A JSON object of the given members, leaving out absent ones; `nil` when none is given (no body at all).
func optionalBody(_ members: [String: JSONValue?]) -> JSONValue? {
    let present = members.compactMapValues { $0 }
    return present.isEmpty ? nil : .object(present)
}

struct DeployApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "approve", abstract: "Approve a deployment (bound to its digest).")
    @OptionGroup var options: ClientOptions
    @OptionGroup var transition: TransitionOptions
    @Option(help: "A comment kept with the approval.") var comment: String?
    @Option(help: "The digest you reviewed; refused (409) if it is not the deployment's.") var digest: String?

    func run() async throws {
        try await transition.post(
            "approve", body: optionalBody(["comment": comment.map(JSONValue.string), "digest": digest.map(JSONValue.string)]), options: options)
    }
}

struct DeployRejectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reject", abstract: "Reject a deployment (final).")
    @OptionGroup var options: ClientOptions
    @OptionGroup var transition: TransitionOptions
    @Option(help: "Why (required).") var reason: String

    func run() async throws { try await transition.post("reject", body: .object(["reason": .string(reason)]), options: options) }
}

struct DeployExecuteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "execute", abstract: "Start the rollout, adding your approval when one is needed.")
    @OptionGroup var options: ClientOptions
    @OptionGroup var transition: TransitionOptions
    @Option(help: "A note kept in the approval's comment (the approver is always the token's subject).") var approvedBy: String?

    func run() async throws {
        try await transition.post("execute", body: optionalBody(["approvedBy": approvedBy.map(JSONValue.string)]), options: options)
    }
}

struct DeployPromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "promote", abstract: "Open the current gate and dispatch the next cohort.")
    @OptionGroup var options: ClientOptions
    @OptionGroup var transition: TransitionOptions

    func run() async throws { try await transition.post("promote", options: options) }
}

struct DeployPauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause a rollout: no new cohort starts.")
    @OptionGroup var options: ClientOptions
    @OptionGroup var transition: TransitionOptions
    @Option(help: "Why (default: paused by <you>).") var reason: String?

    func run() async throws { try await transition.post("pause", body: optionalBody(["reason": reason.map(JSONValue.string)]), options: options) }
}

struct DeployResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Resume a paused rollout (the failures so far are acknowledged).")
    @OptionGroup var options: ClientOptions
    @OptionGroup var transition: TransitionOptions

    func run() async throws { try await transition.post("resume", options: options) }
}

struct DeployCancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a deployment (final; updated nodes keep the new version).")
    @OptionGroup var options: ClientOptions
    @OptionGroup var transition: TransitionOptions
    @Option(help: "Why.") var reason: String?

    func run() async throws { try await transition.post("cancel", body: optionalBody(["reason": reason.map(JSONValue.string)]), options: options) }
}

struct DeployRollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Roll a deployment back at once: every updated node gets its previous module.")
    @OptionGroup var options: ClientOptions
    @OptionGroup var transition: TransitionOptions
    @Option(help: "Why (required, kept in the deployment and the audit log).") var reason: String

    func run() async throws { try await transition.post("rollback", body: .object(["reason": .string(reason)]), options: options) }
}

struct DeployRetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Dispatch failed or timed-out nodes again (all of them, or those given).")
    @OptionGroup var options: ClientOptions
    @OptionGroup var transition: TransitionOptions
    @Option(name: .customLong("node"), help: "A failed node to retry (repeatable; default every failed one).") var nodes: [String] = []

    func run() async throws {
        try await transition.post("retry", body: optionalBody(["nodes": nodes.isEmpty ? nil : .array(nodes.map(JSONValue.string))]), options: options)
    }
}
