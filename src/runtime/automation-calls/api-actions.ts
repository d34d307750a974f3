// aws:executeAwsApi, aws:waitForAwsResourceProperty and aws:assertAwsResourceProperty: any operation of a
// service (Service, Api, the operation's own parameters as further inputs), with outputs chosen by the step's
// JSONPath Selectors, or a property compared with DesiredValues: once (assert), or until it holds (wait).

import type { WorkResult } from '../../domain/automation/execution.ts';
import { type CallKit, type StepCall, failed, failure, required, text, texts, timedOut } from './kit.ts';
import type { StepRequest } from './polling.ts';
import { holds, outputsOf, propertyValues } from './selectors.ts';

/** How long aws:waitForAwsResourceProperty waits without its own timeoutSeconds (the reference: one hour). */
const WAIT_DEFAULT_SECONDS = 3600;

/** The call a step names: its Service, its Api, and every other input but `own` as the operation's parameters. */
function apiCall(request: StepRequest, own: string[]) {
  const { Service, Api, ...rest } = request.step.inputs;
  const parameters = Object.fromEntries(Object.entries(rest).filter(([k]) => !own.includes(k)));
  return { service: (text(Service) ?? '').toLowerCase(), api: text(Api) ?? '', parameters };
}

export function executeAwsApi(kit: CallKit): StepCall {
  return async (request) => {
    const missing = required(request.step.inputs, 'aws:executeAwsApi', 'Service', 'Api');
    if (missing) return failed(missing);
    const { service, api, parameters } = apiCall(request, []);
    try {
      const answer = await kit.services.call(request.scope, service, api, parameters, { signal: request.signal });
      const definitions = request.execution.runbook.steps.find((s) => s.name === request.step.stepName)?.outputs ?? [];
      return { status: 'Success', outputs: outputsOf(answer, definitions) };
    } catch (error) {
      return failure(error);
    }
  };
}

/** The property's values now, and whether they are all desired. */
async function property(kit: CallKit, request: StepRequest, action: string): Promise<{ values: string[]; desired: string[]; ok: boolean } | WorkResult> {
  const missing = required(request.step.inputs, action, 'Service', 'Api', 'PropertySelector', 'DesiredValues');
  if (missing) return failed(missing);
  const { service, api, parameters } = apiCall(request, ['PropertySelector', 'DesiredValues']);
  const desired = texts(request.step.inputs.DesiredValues);
  try {
    const answer = await kit.services.call(request.scope, service, api, parameters, { signal: request.signal });
    const values = propertyValues(answer, text(request.step.inputs.PropertySelector)!);
    return { values, desired, ok: holds(values, desired) };
  } catch (error) {
    return failure(error);
  }
}

const isResult = (value: object): value is WorkResult => 'status' in value;

export function assertAwsResourceProperty(kit: CallKit): StepCall {
  return async (request) => {
    const seen = await property(kit, request, 'aws:assertAwsResourceProperty');
    if (isResult(seen)) return seen;
    if (seen.ok) return { status: 'Success', outputs: {} };
    // [I] the wording: the values found and the ones wanted.
    return failed(`Asserted property ${text(request.step.inputs.PropertySelector)} is ${JSON.stringify(seen.values)}; expected one of ${JSON.stringify(seen.desired)}.`);
  };
}

export function waitForAwsResourceProperty(kit: CallKit): StepCall {
  return async (request) => {
    let last: string[] = [];
    const end = await kit.poll(request, WAIT_DEFAULT_SECONDS, async () => {
      const seen = await property(kit, request, 'aws:waitForAwsResourceProperty');
      // A refusal (no such API, no endpoint, a bad selector) ends the wait at once: asking again would not help.
      if (isResult(seen)) return seen;
      last = seen.values;
      return seen.ok ? ({ status: 'Success', outputs: {} } as WorkResult) : undefined;
    });
    if (end.kind === 'done') return end.value;
    if (end.kind === 'unwanted') return { status: 'Cancelled' };
    return timedOut(`waiting for ${text(request.step.inputs.PropertySelector)} to be one of ${JSON.stringify(texts(request.step.inputs.DesiredValues))} (last ${JSON.stringify(last)})`);
  };
}
