// Session Manager's Amazon documents (DocumentType Session, schema 1.0): the shell every StartSession opens
// by default, one command run interactively or not, and port forwarding. Written from Session Manager's
// "Session document schema" page (schemaVersion, sessionType, inputs with their defaults, parameters,
// properties) and the documents' shape as GetDocument shows them; descriptions are our own words.

import { type CatalogueEntry, published } from './entry.ts';

// Port numbers 1-65535 (the local port also takes 0: any free port).
const PORT = '^([1-9]|[1-9][0-9]{1,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$';
const LOCAL_PORT = '^([0-9]|[1-9][0-9]{1,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$';

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

export const sessionManagerRunShell: CatalogueEntry = {
  name: 'SSM-SessionManagerRunShell',
  documentType: 'Session',
  documentFormat: 'JSON',
  createdAt: published(2018, 9, 11),
  content: json({
    schemaVersion: '1.0',
    description: 'Session Manager preferences for this account and Region: transcripts, timeouts, run-as user and shell profiles',
    sessionType: 'Standard_Stream',
    inputs: {
      s3BucketName: '',
      s3KeyPrefix: '',
      s3EncryptionEnabled: true,
      cloudWatchLogGroupName: '',
      cloudWatchEncryptionEnabled: true,
      cloudWatchStreamingEnabled: false,
      idleSessionTimeout: '20',
      maxSessionDuration: '',
      kmsKeyId: '',
      runAsEnabled: false,
      runAsDefaultUser: '',
      shellProfile: { windows: '', linux: '' },
    },
  }),
};

function commandDocument(name: string, sessionType: 'InteractiveCommands' | 'NonInteractiveCommands', description: string): CatalogueEntry {
  const run = { commands: '{{ command }}', runAsElevated: false };
  return {
    name,
    documentType: 'Session',
    documentFormat: 'JSON',
    createdAt: published(2022, 3, 1),
    content: json({
      schemaVersion: '1.0',
      description,
      sessionType,
      parameters: { command: { type: 'String', description: 'The command to run on the node' } },
      properties: { windows: run, linux: run, macos: run },
    }),
  };
}

export const startInteractiveCommand = commandDocument('AWS-StartInteractiveCommand', 'InteractiveCommands', 'Runs one command on the node in a session that takes input');
export const startNonInteractiveCommand = commandDocument('AWS-StartNonInteractiveCommand', 'NonInteractiveCommands', 'Runs one command on the node in a session that only shows its output');

export const startPortForwardingSession: CatalogueEntry = {
  name: 'AWS-StartPortForwardingSession',
  documentType: 'Session',
  documentFormat: 'JSON',
  createdAt: published(2019, 8, 29),
  content: json({
    schemaVersion: '1.0',
    description: 'Forwards a local port to a port on the node through Session Manager',
    sessionType: 'Port',
    parameters: {
      portNumber: { type: 'String', description: '(Optional) The port on the node to forward to', allowedPattern: PORT, default: '80' },
      localPortNumber: {
        type: 'String', description: '(Optional) The local port to listen on; 0 picks a free one', allowedPattern: LOCAL_PORT, default: '0',
      },
    },
    properties: { portNumber: '{{ portNumber }}', type: 'LocalPortForwarding', localPortNumber: '{{ localPortNumber }}' },
  }),
};
