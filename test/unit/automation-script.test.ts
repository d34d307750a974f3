// aws:executeScript's runner (src/runtime/automation-script.ts) called directly, as the executor calls it:
// real python3 processes, no server. What a script returns, raises, how long it may run, what it can see.

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseDocumentContent } from '../../src/domain/document-content.ts';
import type { StepExecution } from '../../src/domain/automation/execution.ts';
import { newAutomationExecution } from '../../src/domain/automation/new-execution.ts';
import { scriptRunner, type ScriptRunnerOptions } from '../../src/runtime/automation-script.ts';
import { runProcess } from '../../src/runtime/script-process.ts';

const T0 = Date.UTC(2026, 9, 1);
const scope = { account: '111122223333', region: 'us-east-1' };

/** One aws:executeScript step with `inputs` (and its runbook's `outputs`), as the executor hands it over. */
function request(inputs: Record<string, unknown>, extra: { timeoutSeconds?: number; outputs?: unknown[] } = {}) {
  const document = parseDocumentContent(JSON.stringify({
    schemaVersion: '0.3',
    mainSteps: [{ name: 'run', action: 'aws:executeScript', inputs: { Runtime: 'python3.11', Handler: 'h', Script: 'x' }, ...(extra.outputs ? { outputs: extra.outputs } : {}) }],
  }), 'JSON', 'Automation');
  const execution = newAutomationExecution({ id: 'exec-1', account: scope.account, region: scope.region, documentName: 'Book', documentVersion: '1', document, parameters: {}, mode: 'Auto', executedBy: 'me', now: T0 });
  const step: StepExecution = {
    stepExecutionId: 'step-1', stepName: 'run', action: 'aws:executeScript', status: 'InProgress', inputs, startedAt: T0, attempt: 1, maxAttempts: 1,
    onFailure: 'Abort', onCancel: 'Abort', isEnd: false, isCritical: true, ...(extra.timeoutSeconds ? { timeoutSeconds: extra.timeoutSeconds } : {}),
  };
  return { scope, execution, step };
}

const python = (script: string, more: Record<string, unknown> = {}) => ({ Runtime: 'python3.11', Handler: 'script_handler', Script: script, ...more });

describe('aws:executeScript runner', () => {
  let tempRoot: string;
  let options: ScriptRunnerOptions;
  before(async () => {
    tempRoot = await mkdtemp(join(tmpdir(), 'mw-script-test-'));
    options = { tempRoot };
  });
  after(async () => {
    await rm(tempRoot, { recursive: true, force: true });
  });

  test('the handler gets InputPayload as events; its return value is Payload, selectors pick from it; the folder is removed', async () => {
    const runner = scriptRunner(options);
    const script = [
      'def script_handler(events, context):',
      '    print("hello on stdout")',
      '    return {"greeting": "hi " + events["name"], "count": len(events["items"]), "items": events["items"], "exec": context["automation:EXECUTION_ID"]}',
    ].join('\n');
    const result = await runner.call(request(python(script, { InputPayload: { name: 'Ada', items: ['a', 'b'] } }), {
      outputs: [
        { Name: 'Greeting', Selector: '$.Payload.greeting', Type: 'String' },
        { Name: 'Count', Selector: '$.Payload.count', Type: 'Integer' },
        { Name: 'First', Selector: '$.Payload.items[0]', Type: 'String' },
        { Name: 'Missing', Selector: '$.Payload.nothing', Type: 'String' },
      ],
    }));
    assert.equal(result.status, 'Success', result.failureMessage);
    assert.deepEqual(result.outputs, {
      Payload: { greeting: 'hi Ada', count: 2, items: ['a', 'b'], exec: 'exec-1' },
      Greeting: 'hi Ada', Count: 2, First: 'a',
    });
    assert.deepEqual(readdirSync(tempRoot), [], 'the temporary folder is gone');
    runner.close();
  });

  test('a script that raises fails the step with the exception and the end of its traceback', async () => {
    const runner = scriptRunner(options);
    const script = 'def helper():\n    raise ValueError("disk is full")\n\ndef script_handler(events, context):\n    helper()\n';
    const result = await runner.call(request(python(script)));
    assert.equal(result.status, 'Failed');
    assert.equal(result.failureType, 'Action');
    assert.match(result.failureMessage!, /^ValueError: disk is full\n/);
    assert.match(result.failureMessage!, /line 2, in helper/);
    assert.doesNotMatch(result.failureMessage!, /mw_wrapper/, 'only the last lines: the script\'s frames, not the wrapper\'s');
  });

  test('a return value that is not JSON is refused; a missing handler and a syntax error fail clearly', async () => {
    const runner = scriptRunner(options);
    const notJson = await runner.call(request(python('def script_handler(events, context):\n    return {1, 2}\n')));
    assert.deepEqual([notJson.status, notJson.failureType], ['Failed', 'Action']);
    assert.match(notJson.failureMessage!, /not JSON \(set\)/);
    const missing = await runner.call(request(python('def other(events, context):\n    return 1\n')));
    assert.match(missing.failureMessage!, /Handler script_handler is not a function of the script/);
    const syntax = await runner.call(request(python('def script_handler(events, context)\n    return 1\n')));
    assert.match(syntax.failureMessage!, /^SyntaxError: /);
  });

  test('a script past its timeoutSeconds is killed with what it started, and the step is TimedOut', async () => {
    const runner = scriptRunner(options);
    const marker = join(tempRoot, 'child-still-alive');
    // A grandchild in the same group must die too: it would write the marker after 3 s.
    const script = [
      'import subprocess, time',
      'def script_handler(events, context):',
      `    subprocess.Popen(["sh", "-c", "sleep 3; touch ${marker}"])`,
      '    time.sleep(30)',
    ].join('\n');
    const began = Date.now();
    const result = await runner.call(request(python(script), { timeoutSeconds: 1 }));
    assert.ok(Date.now() - began < 5000, `stopped after ${Date.now() - began} ms`);
    assert.deepEqual([result.status, result.failureType], ['TimedOut', 'Timeout']);
    assert.match(result.failureMessage!, /longer than 1 seconds/);
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual(readdirSync(tempRoot), [], 'no grandchild wrote its marker; the folder is gone');
  });

  test('close() kills the scripts still running (the service stops)', async () => {
    const runner = scriptRunner(options);
    const began = Date.now();
    const pending = runner.call(request(python('import time\ndef script_handler(events, context):\n    time.sleep(30)\n')));
    setTimeout(() => runner.close(), 500);
    const result = await pending;
    assert.ok(Date.now() - began < 5000, `stopped after ${Date.now() - began} ms`);
    assert.equal(result.status, 'Failed');
    assert.match(result.failureMessage!, /was killed by SIGKILL without an answer/);
  });

  test('a request that carries an AbortSignal (a stopped step) kills its script at once', async () => {
    const runner = scriptRunner(options);
    const controller = new AbortController();
    const began = Date.now();
    const pending = runner.call({ ...request(python('import time\ndef script_handler(events, context):\n    time.sleep(30)\n')), signal: controller.signal } as never);
    setTimeout(() => controller.abort(), 300);
    const result = await pending;
    assert.ok(Date.now() - began < 5000, `stopped after ${Date.now() - began} ms`);
    assert.equal(result.status, 'Cancelled');
  });

  test('the script sees none of the service\'s environment (AWS_*, MW_*), only its own', async () => {
    const runner = scriptRunner(options);
    process.env.AWS_SECRET_ACCESS_KEY = 'do-not-leak';
    process.env.MW_TEST_SECRET = 'nor-this';
    try {
      const script = 'import os\ndef script_handler(events, context):\n    return dict(os.environ)\n';
      const result = await runner.call(request(python(script)));
      assert.equal(result.status, 'Success', result.failureMessage);
      const env = (result.outputs!.Payload as Record<string, string>);
      assert.equal(env.AWS_SECRET_ACCESS_KEY, undefined);
      assert.equal(env.MW_TEST_SECRET, undefined);
      assert.deepEqual(Object.keys(env).filter((k) => /^(AWS_|MW_)/.test(k)), []);
      assert.ok(env.HOME.startsWith(tempRoot), `HOME is the script's own folder: ${env.HOME}`);
      assert.ok(env.PATH);
    } finally {
      delete process.env.AWS_SECRET_ACCESS_KEY;
      delete process.env.MW_TEST_SECRET;
    }
  });

  test('output is bounded: megabytes on stdout are read and dropped; a return value over 100 KB is refused', async () => {
    const runner = scriptRunner(options);
    const chatty = 'import sys\ndef script_handler(events, context):\n    for _ in range(200):\n        sys.stdout.write("x" * 50000)\n    return {"ok": True}\n';
    const ok = await runner.call(request(python(chatty)));
    assert.equal(ok.status, 'Success', ok.failureMessage);
    assert.deepEqual(ok.outputs!.Payload, { ok: true });
    const big = await runner.call(request(python('def script_handler(events, context):\n    return "y" * 200000\n')));
    assert.equal(big.status, 'Failed');
    assert.match(big.failureMessage!, /over 102400 bytes/);
    const run = await runProcess({ command: 'sh', args: ['-c', 'head -c 5000000 /dev/zero; echo done >&2'], cwd: tempRoot, env: { PATH: process.env.PATH! }, timeoutMs: 10_000, outputLimitBytes: 1000 });
    assert.deepEqual([run.exitCode, run.stdout.length, run.truncated, run.stderr], [0, 1000, true, 'done\n']);
  });

  test('an unknown runtime, an Attachment, a missing Script or Handler fail the step before anything runs', async () => {
    const runner = scriptRunner(options);
    const ruby = await runner.call(request({ Runtime: 'ruby3.2', Handler: 'h', Script: 'x' }));
    assert.deepEqual([ruby.status, ruby.failureType], ['Failed', 'Verification']);
    assert.match(ruby.failureMessage!, /Runtime ruby3.2 is not a runtime of aws:executeScript here: python3.8/);
    const old = await runner.call(request({ Runtime: 'python3.7', Handler: 'h', Script: 'x' }));
    assert.match(old.failureMessage!, /Runtime python3.7 is not/);
    const attachment = await runner.call(request({ Runtime: 'python3.11', Handler: 'f.h', Attachment: 'code.zip' }));
    assert.match(attachment.failureMessage!, /Attachment is not run by this service/);
    const noScript = await runner.call(request({ Runtime: 'python3.11', Handler: 'h' }));
    assert.match(noScript.failureMessage!, /needs the Script input/);
    const noHandler = await runner.call(request({ Runtime: 'python3.11', Script: 'x = 1' }));
    assert.match(noHandler.failureMessage!, /needs Handler/);
  });

  test('PowerShell runs with pwsh, and says so when pwsh is not installed', async () => {
    const runner = scriptRunner({ ...options, path: tempRoot });
    const result = await runner.call(request({ Runtime: 'PowerShell 7.4', Script: 'return @{ a = 1 }' }));
    assert.deepEqual([result.status, result.failureMessage], ['Failed', 'pwsh is not installed on the service\'s machine: PowerShell 7.4 scripts cannot run here.']);
  });

  test('an output whose Type the selected value does not fit fails the step', async () => {
    const runner = scriptRunner(options);
    const result = await runner.call(request(python('def script_handler(events, context):\n    return {"n": "many"}\n'), {
      outputs: [{ Name: 'N', Selector: '$.Payload.n', Type: 'Integer' }],
    }));
    assert.deepEqual([result.status, result.failureType], ['Failed', 'Verification']);
    assert.match(result.failureMessage!, /Output N: many is not a Integer/);
  });
});
