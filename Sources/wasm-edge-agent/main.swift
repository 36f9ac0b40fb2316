import EdgeAgentCLI

await AgentCommand.runFromCommandLine()
