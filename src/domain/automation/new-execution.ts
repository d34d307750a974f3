// A new automation execution of a runbook: its parameters checked against the runbook's declarations
// (the same rules as SendCommand's; InvalidParameters, which StartAutomationExecution answers as
// InvalidAutomationExecutionParametersException), defaults filled in, and typed for references. Pure.

import type { ParsedDocument } from '../document-content.ts';
import { resolveDeclaredValues } from '../document-parameters.ts';
import type { AutomationExecution, WindowLink } from './execution.ts';
import { runbookOf } from './runbook.ts';

export interface NewExecution {
  id: string;
  account: string;
  region: string;
  documentName: string;
  documentVersion: string;
  document: ParsedDocument;
  parameters?: Record<string, string[]>;
  mode?: 'Auto' | 'Interactive';
  executedBy: string;
  now: number;
  parentId?: string;
  parentStepExecutionId?: string;
  window?: WindowLink;
}

function json(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The values as the runbook's steps see them: each as its declared type. */
export function typedValues(document: ParsedDocument, shown: Record<string, string[]>): Record<string, unknown> {
  const types = new Map(document.parameters.map((p) => [p.name, p.type]));
  return Object.fromEntries(Object.entries(shown).map(([name, values]) => {
    switch (types.get(name)) {
      case 'StringList': return [name, [...values]];
      case 'Integer': return [name, Number(values[0])];
      case 'Boolean': return [name, values[0] === 'true'];
      case 'StringMap': return [name, json(values[0] ?? '{}')];
      case 'MapList': return [name, values.map(json)];
      default: return [name, values[0] ?? ''];
    }
  }));
}

export function newAutomationExecution(input: NewExecution): AutomationExecution {
  const parameters = resolveDeclaredValues(input.document.parameters, input.parameters);
  return {
    id: input.id,
    account: input.account,
    region: input.region,
    documentName: input.documentName,
    documentVersion: input.documentVersion,
    mode: input.mode ?? 'Auto',
    runbook: runbookOf(input.document),
    parameters,
    values: typedValues(input.document, parameters),
    status: 'Pending',
    steps: [],
    createdAt: input.now,
    executedBy: input.executedBy,
    ...(input.parentId === undefined ? {} : { parentId: input.parentId }),
    ...(input.parentStepExecutionId === undefined ? {} : { parentStepExecutionId: input.parentStepExecutionId }),
    ...(input.window === undefined ? {} : { window: input.window }),
  };
}
