// The short-lived credentials a registered agent gets from RequestManagedInstanceRoleToken and signs
// every later call with (SigV4): each belongs to one node, so a node can only read and answer its own
// messages. Issued for an hour, as AWS's role tokens for hybrid nodes; the agent refreshes before then.

export interface AgentCredential {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  nodeId: string;
  expiresAt: number;
}

export const AGENT_CREDENTIAL_LIFETIME_MS = 3_600_000;
