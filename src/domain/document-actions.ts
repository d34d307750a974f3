// The actions a document's steps may name, and the platforms each runs on.
//
// Command plugins: the SSM Agent's own list of plugin names (amazon-ssm-agent, agent/appconfig/constants.go:
// aws:configureDaemon, aws:configurePackage, aws:runShellScript, aws:runPowerShellScript, aws:updateSsmAgent,
// aws:updateAgent, aws:downloadContent, aws:runDocument, aws:softwareInventory, aws:domainJoin, aws:cloudWatch,
// aws:runDockerAction, aws:configureDocker, aws:refreshAssociation, aws:psModule, aws:applications) plus
// aws:configureContainers, the newer name AWS's plugin reference uses for aws:configureDocker.
// Platforms: AWS's "Command document plugin reference" says which systems each plugin runs on;
// aws:runShellScript gives Linux and MacOS (issue 21). Entries marked [I] are inferred from that reference's
// wording, not from a DescribeDocument answer.
//
// Automation actions: AWS's "Systems Manager Automation actions reference". Automation runbooks run in the
// service, not on a node: [I] AWS reports Windows, Linux and MacOS for them.

export type Platform = 'Windows' | 'Linux' | 'MacOS';

const ALL: Platform[] = ['Windows', 'Linux', 'MacOS'];

const commandPlugins: Record<string, Platform[]> = {
  'aws:runShellScript': ['Linux', 'MacOS'],
  // AWS lists all three for AWS-RunPowerShellScript (PowerShell Core runs on Linux and macOS).
  'aws:runPowerShellScript': ALL,
  'aws:applications': ['Windows'],
  'aws:cloudWatch': ['Windows'],
  'aws:configureDaemon': ['Windows', 'Linux'], // [I]
  'aws:configureDocker': ['Windows', 'Linux'], // [I]
  'aws:configureContainers': ['Windows', 'Linux'], // [I]
  'aws:configurePackage': ALL,
  'aws:domainJoin': ['Windows', 'Linux'],
  'aws:downloadContent': ALL,
  'aws:psModule': ['Windows'],
  'aws:refreshAssociation': ALL,
  'aws:runDockerAction': ['Windows', 'Linux'],
  'aws:runDocument': ALL,
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
