// The Amazon documents this service holds, sorted by name (the order ListDocuments pages through them).

import { configureAwsPackage, runDocument, updateSsmAgent } from './agent-plugins.ts';
import { createImage, restartEc2Instance, startEc2Instance, stopEc2Instance } from './ec2-runbooks.ts';
import type { CatalogueEntry } from './entry.ts';
import { patchInstanceWithRollback } from './patch-runbooks.ts';
import { applyPatchBaseline, runPatchBaseline } from './patching.ts';
import { runPowerShellScript, runShellScript } from './script-documents.ts';
import { sessionManagerRunShell, startInteractiveCommand, startNonInteractiveCommand, startPortForwardingSession } from './session-documents.ts';

export type { CatalogueEntry } from './entry.ts';

export const catalogue: readonly CatalogueEntry[] = [
  applyPatchBaseline,
  configureAwsPackage,
  createImage,
  patchInstanceWithRollback,
  restartEc2Instance,
  runDocument,
  runPatchBaseline,
  runPowerShellScript,
  runShellScript,
  startEc2Instance,
  startInteractiveCommand,
  startNonInteractiveCommand,
  startPortForwardingSession,
  stopEc2Instance,
  updateSsmAgent,
  sessionManagerRunShell,
];
