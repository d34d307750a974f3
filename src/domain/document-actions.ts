// The actions a document's steps may name, and the platforms each runs on.
//
// Command plugins: the SSM Agent's own list of plugin names (amazon-ssm-agent, agent/appconfig/constants.go:
// aws:configureDaemon, aws:configurePackage, aws:runShellScript, aws:runPowerShellScript, aws:updateSsmAgent,
// aws:updateAgent, aws:downloadContent, aws:runDocument, aws:softwareInventory, aws:domainJoin, aws:cloudWatch,
// aws:runDockerAction, aws:configureDocker, aws:refreshAssociation, aws:psModule, aws:applications) plus
// aws:configureContainers, the newer name AWS's plugin reference gives aws:configureDocker.
// Platforms: AWS's "Command document plugin reference" (github.com/awsdocs/aws-systems-manager-user-guide,
// doc_source/documents-command-ssm-plugin-reference.md) says which systems each plugin runs on, and lists
// the five that also run on macOS (aws:refreshAssociation, aws:runShellScript, aws:runPowerShellScript,
// aws:softwareInventory, aws:updateSsmAgent). Entries marked [I] have no line there.
//
// Automation actions: AWS's "Systems Manager Automation actions reference" (the same repository,
// doc_source/automation-actions.md) and the newer aws:loop and aws:updateVariable [I]. Automation runbooks
// run in the service, not on a node: [I] AWS reports Windows, Linux and MacOS for them.

export type Platform = 'Windows' | 'Linux' | 'MacOS';

const ALL: Platform[] = ['Windows', 'Linux', 'MacOS'];

const commandPlugins: Record<string, Platform[]> = {
  'aws:applications': ['Windows'],
  'aws:cloudWatch': ['Windows'],
  'aws:configureContainers': ['Windows', 'Linux'], // [I] as aws:configureDocker
  'aws:configureDaemon': ['Windows', 'Linux'], // [I]
  'aws:configureDocker': ['Windows', 'Linux'],
  'aws:configurePackage': ['Windows', 'Linux'],
  'aws:domainJoin': ['Windows', 'Linux'],
  'aws:downloadContent': ['Windows', 'Linux'],
  'aws:psModule': ['Windows'],
  'aws:refreshAssociation': ALL,
  'aws:runDockerAction': ['Windows', 'Linux'],
  'aws:runDocument': ['Windows', 'Linux'],
  'aws:runPowerShellScript': ALL,
  'aws:runShellScript': ['Linux', 'MacOS'],
  'aws:softwareInventory': ALL,
  'aws:updateAgent': ['Windows'],
  'aws:updateSsmAgent': ALL,
};

const automationActions = new Set([
  'aws:approve',
  'aws:assertAwsResourceProperty',
  'aws:branch',
  'aws:changeInstanceState',
  'aws:copyImage',
  'aws:createImage',
  'aws:createStack',
  'aws:createTags',
  'aws:deleteImage',
  'aws:deleteStack',
  'aws:executeAutomation',
  'aws:executeAwsApi',
  'aws:executeScript',
  'aws:executeStateMachine',
  'aws:invokeLambdaFunction',
  'aws:invokeWebhook',
  'aws:loop',
  'aws:pause',
  'aws:runCommand',
  'aws:runInstances',
  'aws:sleep',
  'aws:updateVariable',
  'aws:waitForAwsResourceProperty',
]);

export function isCommandPlugin(action: string): boolean {
  return Object.hasOwn(commandPlugins, action);
}

export function isAutomationAction(action: string): boolean {
  return automationActions.has(action);
}

/** The platforms a Command document runs on: the union over its steps' plugins, in AWS's order. */
export function commandPlatforms(actions: readonly string[]): Platform[] {
  const found = new Set(actions.flatMap((a) => (Object.hasOwn(commandPlugins, a) ? commandPlugins[a] : [])));
  return ALL.filter((p) => found.has(p));
}

/** [I] Automation runbooks (and other documents that run in the service) report every platform. */
export function servicePlatforms(): Platform[] {
  return [...ALL];
}
