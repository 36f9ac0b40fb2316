import OrchestratorDomain

extension CreateDeploymentRequest {
    /// `strategy.waves` and `strategy.waveOrder`; a wrong value or combination is 400 naming the field.
    /// Their bounds (names, count, duplicates) are ``DeploymentSpecRules``' (`invalid-deployment`).
    static func waves(_ body: StrategyBody) throws -> RolloutWaves? {
        guard let text = body.waves else {
            guard body.waveOrder == nil else { throw APIError.badRequest(detail: "'strategy.waveOrder' needs 'strategy.waves'") }
            return nil
        }
        guard let key = WaveKey(rawValue: text) else {
            throw APIError.badRequest(detail: "'strategy.waves' must be one of \(WaveKey.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard body.type != "allAtOnce" else {
            throw APIError.badRequest(detail: "'strategy.waves' applies to rolling and canary strategies only")
        }
        return RolloutWaves(key: key, order: body.waveOrder ?? [])
    }
}
