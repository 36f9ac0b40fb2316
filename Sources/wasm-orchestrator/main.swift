import OrchestratorCLI

await OrchestratorCommand.runFromCommandLine()
