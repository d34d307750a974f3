// aws:executeScript: runs the step's Python or PowerShell script on the service's machine, which is why it
// exists only when the operator asked for it (--allow-execute-script). Each script gets a temporary folder
// (removed after), its own process group (script-process.ts), an environment of its own (PATH, HOME and
// TMPDIR in that folder, LANG: none of the service's variables, so no AWS_* or MW_* secret), a time limit
// (the step's timeoutSeconds, else AWS's 600 s) and bounded output. The handler's return value is the step's
// `Payload` output, and the step's `outputs` selectors ($.Payload.x) are applied to it here.

import { constants } from 'node:fs';
import { access, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { WorkResult } from '../domain/automation/execution.ts';
import type { AutomationCall } from './automation-executor.ts';
import { ProcessGroups, runProcess } from './script-process.ts';
import { scriptRuntime, RUNTIME_NAMES } from './script-runtimes.ts';
import { outputsOf, SelectorError } from './automation-calls/selectors.ts';

export interface ScriptRunnerOptions {
  /** Where python3 and pwsh are looked for. Default: the service's PATH (also the script's PATH). */
  path?: string;
  /** The limit of a step without timeoutSeconds. Default 600 (AWS: "a maximum duration of 600 seconds"). */
  defaultTimeoutSeconds?: number;
  /** Bytes of the script's stdout and of its stderr kept (for failure messages). Default 64 KiB [ours]. */
  outputLimitBytes?: number;
  /** Bytes of the return value's JSON accepted. Default 100 KB (AWS: "Up to 100KB is returned"). */
  payloadLimitBytes?: number;
  /** Where the temporary folders go. Default: the system's. */
  tempRoot?: string;
}

export interface ScriptRunner {
  /** The AutomationCall the executor's `scripts` takes. */
  call: AutomationCall;
  /** Kills every script still running (the service stops). */
  close(): void;
}

const DEFAULT_TIMEOUT_SECONDS = 600;
const TRACEBACK_LINES = 6;

const failed = (failureMessage: string, failureType: string): WorkResult => ({ status: 'Failed', failureMessage, failureType });

/** The first executable `name` on `path`, if any. */
async function which(name: string, path: string): Promise<string | undefined> {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The last lines of a traceback (its head is the wrapper's frames, its end says where the script failed). */
function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** InputPayload is a map in YAML runbooks; a JSON text is read as its value; absent, an empty map. */
function eventsOf(value: unknown): unknown {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export function scriptRunner(options: ScriptRunnerOptions = {}): ScriptRunner {
  const path = options.path ?? process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';
  const outputLimitBytes = options.outputLimitBytes ?? 64 * 1024;
  const payloadLimitBytes = options.payloadLimitBytes ?? 100 * 1024;
  const groups = new ProcessGroups();

  const call: AutomationCall = async (request) => {
    const { scope, execution, step } = request;
    // An executor that can stop a call hands it an AbortSignal: the script is then killed at once.
    const signal = 'signal' in request && request.signal instanceof AbortSignal ? request.signal : undefined;
    const inputs = step.inputs;
    if (inputs.Attachment !== undefined) return failed('aws:executeScript Attachment is not run by this service: put the code in Script.', 'Verification');
    const runtimeName = typeof inputs.Runtime === 'string' ? inputs.Runtime : '';
    const runtime = scriptRuntime(runtimeName);
    if (!runtime) return failed(`Runtime ${runtimeName || '(none)'} is not a runtime of aws:executeScript here: ${RUNTIME_NAMES}.`, 'Verification');
    if (typeof inputs.Script !== 'string' || inputs.Script === '') return failed('aws:executeScript needs the Script input (the code to run).', 'Verification');
    const handler = typeof inputs.Handler === 'string' ? inputs.Handler : '';
    if (runtime.language === 'Python' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(handler)) {
      return failed(`aws:executeScript with ${runtimeName} needs Handler, the name of a function of the script (got '${handler}').`, 'Verification');
    }
    const interpreter = await which(runtime.interpreter, path);
    if (!interpreter) return failed(`${runtime.interpreter} is not installed on the service's machine: ${runtimeName} scripts cannot run here.`, 'Verification');

    const dir = await mkdtemp(join(options.tempRoot ?? tmpdir(), 'mw-script-'));
    try {
      const events = eventsOf(inputs.InputPayload);
      // The context AWS hands the handler is not documented field by field: these are the automation variables [I].
      const context = {
        'automation:EXECUTION_ID': execution.id, 'automation:DOCUMENT_NAME': execution.documentName,
        'global:ACCOUNT_ID': scope.account, 'global:REGION': scope.region, 'global:DATE_TIME': new Date(step.startedAt).toISOString(),
      };
      await writeFile(join(dir, runtime.scriptFile), inputs.Script, { mode: 0o600 });
      await writeFile(join(dir, runtime.wrapperFile), runtime.wrapper, { mode: 0o600 });
      await writeFile(join(dir, 'input.json'), JSON.stringify({ events, context }), { mode: 0o600 });
      const env: Record<string, string> = { PATH: path, HOME: dir, TMPDIR: dir, LANG: 'C.UTF-8' };
      if (runtime.language === 'PowerShell') env.InputPayload = JSON.stringify(events);
      const timeoutSeconds = step.timeoutSeconds ?? options.defaultTimeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
      const run = await runProcess({
        command: interpreter, args: runtime.args(join(dir, runtime.wrapperFile), dir, handler), cwd: dir, env,
        timeoutMs: timeoutSeconds * 1000, outputLimitBytes, ...(signal ? { signal } : {}),
      }, groups);
      if (signal?.aborted) return { status: 'Cancelled', failureMessage: 'The step was stopped and its script killed.', failureType: 'Cancelled' };
      if (run.spawnError) return failed(`${runtime.interpreter} could not be started: ${run.spawnError}`, 'Internal');
      if (run.timedOut) return { status: 'TimedOut', failureMessage: `The script ran longer than ${timeoutSeconds} seconds and was stopped.`, failureType: 'Timeout' };
      const envelope = await readResult(join(dir, 'result.json'), payloadLimitBytes);
      if (envelope.kind === 'missing') {
        const why = run.signal ? `was killed by ${run.signal}` : `exited with code ${run.exitCode}`;
        return failed(`The script ${why} without an answer.${run.stderr ? `\n${tail(run.stderr, TRACEBACK_LINES)}` : ''}`, 'Action');
      }
      if (envelope.kind === 'too-large') return failed(`The handler's return value is over ${payloadLimitBytes} bytes of JSON (AWS returns up to 100 KB).`, 'Action');
      const answer = envelope.value;
      if (answer.status === 'ok') {
        // The selectors read the action's response, whose one member is Payload ($.Payload.name), as AWS's examples do.
        const definitions = execution.runbook.steps.find((s) => s.name === step.stepName)?.outputs ?? [];
        try {
          return { status: 'Success', outputs: { Payload: answer.payload, ...outputsOf({ Payload: answer.payload }, definitions) } };
        } catch (error) {
          if (error instanceof SelectorError) return failed(error.message, 'Verification');
          throw error;
        }
      }
      const trace = typeof answer.traceback === 'string' && answer.traceback ? `\n${tail(answer.traceback, TRACEBACK_LINES)}` : '';
      return failed(`${String(answer.error)}${trace}`, 'Action');
    } finally {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  };

  return { call, close: () => groups.killAll() };
}

type Envelope = { status: 'ok'; payload: unknown } | { status: 'error' | 'refused'; error: unknown; traceback?: unknown };

/** The wrapper's result file: absent when the process died first; refused above the payload limit. */
async function readResult(file: string, limit: number): Promise<{ kind: 'missing' } | { kind: 'too-large' } | { kind: 'read'; value: Envelope }> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return { kind: 'missing' };
  }
  // The envelope adds a few bytes around the payload: {"status":"ok","payload":...}.
  if (size > limit + 64) return { kind: 'too-large' };
  try {
    return { kind: 'read', value: JSON.parse(await readFile(file, 'utf8')) as Envelope };
  } catch {
    return { kind: 'missing' };
  }
}
