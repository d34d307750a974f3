// Document content (domain/document-content.ts and its parts) as tables: good documents of each schema in
// JSON and YAML, each refusal with its exception and message, conversions, DescribeDocument's parameters and
// SendCommand's parameter resolution with each constraint kind.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  convertContent, describedParameters, type DocumentFormat, parseDocumentContent, resolveParameterValues,
} from '../../src/domain/document-content.ts';
import { builtInDocuments } from '../../src/domain/documents.ts';

const json = (body: unknown) => JSON.stringify(body, null, 2);

// AWS's answer to `aws ssm get-document --name AWS-RunPowerShellScript --document-format YAML`, as aws-cli's
// example shows it (github.com/aws/aws-cli, awscli/examples/ssm/get-document.rst).
const awsPowerShellYaml = `---
schemaVersion: '1.2'
description: Run a PowerShell script or specify the paths to scripts to run.
parameters:
  commands:
    type: StringList
    description: "(Required) Specify the commands to run or the paths to existing
      scripts on the instance."
    minItems: 1
    displayType: textarea
  workingDirectory:
    type: String
    default: ''
    description: "(Optional) The path to the working directory on your instance."
    maxChars: 4096
  executionTimeout:
    type: String
    default: '3600'
    description: "(Optional) The time in seconds for a command to be completed before
      it is considered to have failed. Default is 3600 (1 hour). Maximum is 172800
      (48 hours)."
    allowedPattern: "([1-9][0-9]{0,4})|(1[0-6][0-9]{4})|(17[0-1][0-9]{3})|(172[0-7][0-9]{2})|(172800)"
runtimeConfig:
  aws:runPowerShellScript:
    properties:
    - id: 0.aws:runPowerShellScript
      runCommand: "{{ commands }}"
      workingDirectory: "{{ workingDirectory }}"
      timeoutSeconds: "{{ executionTimeout }}"
`;

const command22 = {
  schemaVersion: '2.2',
  description: 'Two steps',
  parameters: {
    message: { type: 'String', default: 'hello', allowedPattern: '[a-z]+', maxChars: 10 },
    names: { type: 'StringList', default: ['a', 'b'], minItems: 1, maxItems: 3 },
  },
  mainSteps: [
    { action: 'aws:runShellScript', name: 'first', precondition: { StringEquals: ['platformType', 'Linux'] }, inputs: { runCommand: ['echo {{ message }}', 'echo {{names}}'] } },
    { action: 'aws:runPowerShellScript', name: 'second', inputs: { runCommand: ['Write-Output {{ message }}'] } },
  ],
};

const command22Yaml = `schemaVersion: '2.2'
description: Two steps
parameters:
  message:
    type: String
    default: hello
mainSteps:
  - action: aws:runShellScript
    name: first
    inputs:
      runCommand:
        - echo {{ message }}
`;

const command12 = {
  schemaVersion: '1.2',
  description: 'Old style',
  parameters: { commands: { type: 'StringList', minItems: 1 } },
  runtimeConfig: { 'aws:runShellScript': { properties: [{ id: '0.aws:runShellScript', runCommand: '{{ commands }}' }] } },
};

const command20 = {
  schemaVersion: '2.0',
  mainSteps: [{ action: 'aws:softwareInventory', name: 'inventory', inputs: { applications: 'Enabled' } }],
};

const automation = {
  schemaVersion: '0.3',
  description: 'Restart',
  assumeRole: '{{ AutomationAssumeRole }}',
  parameters: {
    InstanceId: { type: 'StringList' },
    AutomationAssumeRole: { type: 'String', default: '' },
    Wait: { type: 'Integer', default: 5 },
    Force: { type: 'Boolean', default: false },
    Tags: { type: 'MapList', default: [{ Key: 'a', Value: 'b' }] },
    Extra: { type: 'StringMap', default: { k: 'v' } },
  },
  mainSteps: [
    { name: 'stop', action: 'aws:changeInstanceState', onFailure: 'step:start', onCancel: 'Abort', maxAttempts: 2, timeoutSeconds: 600, isCritical: true, nextStep: 'pause', inputs: { InstanceIds: '{{ InstanceId }}', DesiredState: 'stopped', Force: '{{ Force }}' } },
    { name: 'pause', action: 'aws:sleep', inputs: { Duration: 'PT{{ Wait }}S' } },
    { name: 'describe', action: 'aws:executeAwsApi', inputs: { Service: 'ec2', Api: 'DescribeInstances', Token: '{{ automation:EXECUTION_ID }}', Account: '{{ global:ACCOUNT_ID }}' }, outputs: [{ Name: 'State', Selector: '$.State', Type: 'String' }] },
    { name: 'start', action: 'aws:changeInstanceState', inputs: { InstanceIds: '{{ InstanceId }}', DesiredState: '{{ describe.State }}' } },
  ],
  outputs: ['describe.State'],
};

const automationYaml = `schemaVersion: "0.3"
parameters:
  Seconds:
    type: Integer
    default: 10
mainSteps:
- name: wait
  action: aws:sleep
  inputs:
    Duration: PT{{ Seconds }}S
`;

describe('good documents', () => {
  const cases: { name: string; content: string; format: DocumentFormat; type: string; schema: string; steps: string[]; platforms: string[] }[] = [
    { name: 'Command 2.2 JSON', content: json(command22), format: 'JSON', type: 'Command', schema: '2.2', steps: ['first', 'second'], platforms: ['Windows', 'Linux', 'MacOS'] },
    { name: 'Command 2.2 YAML', content: command22Yaml, format: 'YAML', type: 'Command', schema: '2.2', steps: ['first'], platforms: ['Linux', 'MacOS'] },
    { name: 'Command 1.2 JSON', content: json(command12), format: 'JSON', type: 'Command', schema: '1.2', steps: ['aws:runShellScript'], platforms: ['Linux', 'MacOS'] },
    { name: 'Command 2.0 JSON', content: json(command20), format: 'JSON', type: 'Command', schema: '2.0', steps: ['inventory'], platforms: ['Windows', 'Linux', 'MacOS'] },
    { name: 'Command 2.0 YAML, unquoted version', content: 'schemaVersion: 2.0\nmainSteps:\n- action: aws:psModule\n  name: m\n  inputs: {}\n', format: 'YAML', type: 'Command', schema: '2.0', steps: ['m'], platforms: ['Windows'] },
    { name: 'Automation 0.3 JSON', content: json(automation), format: 'JSON', type: 'Automation', schema: '0.3', steps: ['stop', 'pause', 'describe', 'start'], platforms: ['Windows', 'Linux', 'MacOS'] },
    { name: 'Automation 0.3 YAML', content: automationYaml, format: 'YAML', type: 'Automation', schema: '0.3', steps: ['wait'], platforms: ['Windows', 'Linux', 'MacOS'] },
    { name: 'Command 2.2, precondition on a parameter', content: json({ schemaVersion: '2.2', parameters: { mode: { type: 'String', default: 'full' } }, mainSteps: [{ action: 'aws:runDocument', name: 'run', precondition: { StringEquals: ['{{ mode }}', 'full'] }, inputs: { documentType: 'SSMDocument', documentPath: 'AWS-RunShellScript' } }] }), format: 'JSON', type: 'Command', schema: '2.2', steps: ['run'], platforms: ['Windows', 'Linux'] },
    { name: 'Session 1.0', content: json({ schemaVersion: '1.0', sessionType: 'Standard_Stream', inputs: {} }), format: 'JSON', type: 'Session', schema: '1.0', steps: [], platforms: ['Windows', 'Linux', 'MacOS'] },
    { name: 'TEXT for ApplicationConfiguration', content: 'anything at all', format: 'TEXT', type: 'ApplicationConfiguration', schema: '', steps: [], platforms: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const parsed = parseDocumentContent(c.content, c.format, c.type);
      assert.equal(parsed.schemaVersion, c.schema);
      assert.deepEqual(parsed.steps.map((s) => s.name), c.steps);
      assert.deepEqual(parsed.platformTypes, c.platforms);
    });
  }

  test('the parsed body and steps are the content', () => {
    const parsed = parseDocumentContent(json(command22), 'JSON', 'Command');
    assert.deepEqual(parsed.body, command22);
    assert.equal(parsed.description, 'Two steps');
    assert.deepEqual(parsed.steps[0], command22.mainSteps[0]);
    assert.deepEqual(parsed.parameters.map((p) => [p.name, p.type]), [['message', 'String'], ['names', 'StringList']]);
  });

  // The script documents (the whole catalogue is parsed in catalogue.test.ts).
  for (const document of builtInDocuments.filter((d) => d.name === 'AWS-RunShellScript' || d.name === 'AWS-RunPowerShellScript')) {
    test(`built-in ${document.name} parses`, () => {
      const parsed = parseDocumentContent(document.content, 'JSON', 'Command');
      assert.equal(parsed.schemaVersion, document.schemaVersion);
      assert.deepEqual(parsed.platformTypes, document.platformTypes);
      assert.deepEqual(parsed.steps.map((s) => s.name), [document.name === 'AWS-RunShellScript' ? 'aws:runShellScript' : 'aws:runPowerShellScript']);
      const described = describedParameters(parsed);
      assert.deepEqual(described.map((p) => [p.Name, p.DefaultValue]), document.parameters.map((p) => [p.name, p.defaultValue]));
      const resolved = resolveParameterValues(parsed, { commands: ['uptime'] });
      assert.deepEqual(resolved, { commands: ['uptime'], workingDirectory: [''], executionTimeout: ['3600'] });
    });
  }
});

/** A Command 2.2 document with one step and these changes. */
function with22(changes: Record<string, unknown>, step: Record<string, unknown> = {}): string {
  return json({ schemaVersion: '2.2', mainSteps: [{ action: 'aws:runShellScript', name: 'one', inputs: { runCommand: ['true'] }, ...step }], ...changes });
}
const param = (spec: Record<string, unknown>) => with22({ parameters: { p: spec } });

describe('refused content', () => {
  const cases: { name: string; content: string; format?: DocumentFormat; type?: string; code: string; message: string }[] = [
    { name: 'not JSON (AWS: Line 1, Column 6)', content: 'https://example.com/doc.json', code: 'InvalidDocumentContent', message: 'JSON not well-formed. at Line: 1, Column: 6' },
    { name: 'JSON with a trailing comma', content: '{\n  "a": 1,\n}', code: 'InvalidDocumentContent', message: 'JSON not well-formed. at Line: 3, Column: 2' },
    { name: 'JSON with a literal cut short', content: '{"a": tru}', code: 'InvalidDocumentContent', message: 'JSON not well-formed. at Line: 1, Column: 10' },
    { name: 'JSON with a word for a value', content: '{"a":\n  yes}', code: 'InvalidDocumentContent', message: 'JSON not well-formed. at Line: 2, Column: 6' },
    { name: 'JSON with text after it', content: '{"a": 1}}', code: 'InvalidDocumentContent', message: 'JSON not well-formed. at Line: 1, Column: 10' },
    { name: 'empty JSON', content: '   ', code: 'InvalidDocumentContent', message: 'JSON not well-formed. at Line: 1, Column: 4' },
    { name: 'JSON cut short', content: '{\n  "schemaVersion": "2.2",\n  "a": 1', code: 'InvalidDocumentContent', message: 'JSON not well-formed. at Line: 3, Column: 9' },
    { name: 'not YAML', content: 'schemaVersion: "2.2"\nmainSteps: [a,\n', format: 'YAML', code: 'InvalidDocumentContent', message: 'YAML not well-formed. at Line: 3, Column: 1' },
    { name: 'a list, not a map', content: '[1, 2]', code: 'InvalidDocumentContent', message: 'The content for the document is not valid.' },
    { name: 'TEXT for Command', content: 'echo hi', format: 'TEXT', code: 'InvalidDocumentContent', message: 'Document format TEXT is not supported for document type Command.' },
    { name: 'no schemaVersion', content: json({ mainSteps: [] }), code: 'InvalidDocumentContent', message: 'Document schema version is invalid. Value: null' },
    { name: 'unknown schemaVersion', content: json({ schemaVersion: '3.0' }), type: 'Automation', code: 'InvalidDocumentContent', message: 'Document schema version is invalid. Value: 3.0' },
    { name: 'Automation schema for Command', content: json(automation), code: 'InvalidDocumentSchemaVersion', message: 'Document type Command does not support schema version 0.3.' },
    { name: 'Command schema for Automation', content: json(command22), type: 'Automation', code: 'InvalidDocumentSchemaVersion', message: 'Document type Automation does not support schema version 2.2.' },
    { name: 'no mainSteps', content: json({ schemaVersion: '2.2' }), code: 'InvalidDocumentContent', message: 'Document: mainSteps must be a list.' },
    { name: 'empty mainSteps', content: json({ schemaVersion: '2.2', mainSteps: [] }), code: 'InvalidDocumentContent', message: 'Document must contain at least one step in mainSteps.' },
    { name: 'no runtimeConfig in 1.2', content: json({ schemaVersion: '1.2' }), code: 'InvalidDocumentContent', message: 'Document: runtimeConfig must be a map.' },
    { name: 'unknown 1.2 plugin', content: json({ schemaVersion: '1.2', runtimeConfig: { 'aws:nothing': { properties: [] } } }), code: 'InvalidDocumentContent', message: 'Action "aws:nothing" in step "aws:nothing" is not supported.' },
    { name: 'step without name', content: with22({}, { name: undefined }), code: 'InvalidDocumentContent', message: 'Step 1: name must be a string.' },
    { name: 'step name pattern', content: with22({}, { name: 'two words' }), code: 'InvalidDocumentContent', message: 'Step name "two words" does not match pattern ^[a-zA-Z0-9_.-]+$.' },
    { name: 'Automation step name pattern', content: automationYaml.replace('name: wait', 'name: wait-here'), format: 'YAML', type: 'Automation', code: 'InvalidDocumentContent', message: 'Step name "wait-here" does not match pattern ^[a-zA-Z0-9_]+$.' },
    { name: 'duplicate step names', content: json({ ...command22, mainSteps: [command22.mainSteps[0], command22.mainSteps[0]] }), code: 'InvalidDocumentContent', message: 'Step name "first" is used more than once.' },
    { name: 'unknown action', content: with22({}, { action: 'aws:doMagic' }), code: 'InvalidDocumentContent', message: 'Action "aws:doMagic" in step "one" is not supported.' },
    { name: 'Automation action in Command', content: with22({}, { action: 'aws:sleep' }), code: 'InvalidDocumentContent', message: 'Action "aws:sleep" in step "one" is not supported.' },
    { name: 'Command plugin in Automation', content: automationYaml.replace('aws:sleep', 'aws:runShellScript'), format: 'YAML', type: 'Automation', code: 'InvalidDocumentContent', message: 'Action "aws:runShellScript" in step "wait" is not supported.' },
    { name: 'inputs as a list', content: with22({}, { inputs: [{ runCommand: ['x'] }] }), code: 'InvalidDocumentContent', message: 'Step "one": inputs must be a map.' },
    { name: 'Automation step without inputs', content: json({ schemaVersion: '0.3', mainSteps: [{ name: 'a', action: 'aws:sleep' }] }), type: 'Automation', code: 'InvalidDocumentContent', message: 'Step "a": inputs must be a map.' },
    { name: 'bad precondition', content: with22({}, { precondition: { StringEquals: ['platformType', 'Solaris'] } }), code: 'InvalidDocumentContent', message: 'Precondition in step "one" is not valid.' },
    { name: 'precondition in 2.0', content: with22({ schemaVersion: '2.0' }, { precondition: { StringEquals: ['platformType', 'Linux'] } }), code: 'InvalidDocumentContent', message: 'Precondition in step "one" is not valid.' },
    { name: 'undeclared parameter', content: with22({}, { inputs: { runCommand: ['echo {{ nothing }}'] } }), code: 'InvalidDocumentContent', message: 'Parameter "nothing" is not declared.' },
    { name: 'undeclared in 1.2', content: json({ ...command12, parameters: {} }), code: 'InvalidDocumentContent', message: 'Parameter "commands" is not declared.' },
    { name: 'Automation variable in Command', content: with22({}, { inputs: { runCommand: ['echo {{ automation:EXECUTION_ID }}'] } }), code: 'InvalidDocumentContent', message: 'Parameter "automation:EXECUTION_ID" is not declared.' },
    { name: 'undeclared in Automation', content: automationYaml.replace('{{ Seconds }}', '{{ PackageVersion }}'), format: 'YAML', type: 'Automation', code: 'InvalidDocumentContent', message: 'Parameter "PackageVersion" is not declared.' },
    { name: 'output of no step', content: automationYaml.replace('{{ Seconds }}', '{{ nostep.Output }}'), format: 'YAML', type: 'Automation', code: 'InvalidDocumentContent', message: 'Parameter "nostep.Output" is not declared.' },
    { name: 'Automation outputs of no step', content: json({ ...automation, outputs: ['ghost.State'] }), type: 'Automation', code: 'InvalidDocumentContent', message: 'Document: outputs must be a list of Step.Output names.' },
    { name: 'assumeRole not a string', content: json({ ...automation, assumeRole: 5 }), type: 'Automation', code: 'InvalidDocumentContent', message: 'Document: assumeRole must be a string.' },
    { name: 'precondition on an undeclared parameter', content: with22({}, { precondition: { StringEquals: ['{{ mode }}', 'full'] } }), code: 'InvalidDocumentContent', message: 'Parameter "mode" is not declared.' },
    { name: 'precondition on a bare word', content: with22({}, { precondition: { StringEquals: ['mode', 'full'] } }), code: 'InvalidDocumentContent', message: 'Precondition in step "one" is not valid.' },
    { name: 'Automation onFailure to no step', content: json({ ...automation, mainSteps: [{ ...automation.mainSteps[0], onFailure: 'step:ghost' }, ...automation.mainSteps.slice(1)] }), type: 'Automation', code: 'InvalidDocumentContent', message: 'Step "stop": onFailure must be Abort or Continue or step:NAME of a step.' },
    { name: 'Automation onCancel Continue', content: json({ ...automation, mainSteps: [{ ...automation.mainSteps[0], onCancel: 'Continue' }, ...automation.mainSteps.slice(1)] }), type: 'Automation', code: 'InvalidDocumentContent', message: 'Step "stop": onCancel must be Abort or step:NAME of a step.' },
    { name: 'Automation nextStep to no step', content: json({ ...automation, mainSteps: [{ ...automation.mainSteps[0], nextStep: 'ghost' }, ...automation.mainSteps.slice(1)] }), type: 'Automation', code: 'InvalidDocumentContent', message: 'Step "stop": nextStep must be the name of a step.' },
    { name: 'Automation maxAttempts', content: json({ ...automation, mainSteps: [{ ...automation.mainSteps[0], maxAttempts: 'two' }, ...automation.mainSteps.slice(1)] }), type: 'Automation', code: 'InvalidDocumentContent', message: 'Step "stop": maxAttempts must be a positive integer.' },
    { name: 'Automation isEnd', content: json({ ...automation, mainSteps: [{ ...automation.mainSteps[0], isEnd: 'yes' }, ...automation.mainSteps.slice(1)] }), type: 'Automation', code: 'InvalidDocumentContent', message: 'Step "stop": isEnd must be true or false.' },
    { name: 'parameter type', content: param({ type: 'Number' }), code: 'InvalidDocumentContent', message: 'Parameter "p" has type "Number", which is not supported.' },
    { name: 'parameter without type', content: param({ default: 'x' }), code: 'InvalidDocumentContent', message: 'Parameter "p" has type "undefined", which is not supported.' },
    { name: 'parameter name', content: with22({ parameters: { 'a b': { type: 'String' } } }), code: 'InvalidDocumentContent', message: 'Parameter name "a b" is not valid.' },
    { name: 'maxItems on a String', content: param({ type: 'String', maxItems: 2 }), code: 'InvalidDocumentContent', message: 'Parameter "p" has an invalid maxItems.' },
    { name: 'negative minChars', content: param({ type: 'String', minChars: -1 }), code: 'InvalidDocumentContent', message: 'Parameter "p" has an invalid minChars.' },
    { name: 'allowedValues not a list', content: param({ type: 'String', allowedValues: 'a' }), code: 'InvalidDocumentContent', message: 'Parameter "p" has an invalid allowedValues.' },
    { name: 'allowedPattern not a regex', content: param({ type: 'String', allowedPattern: '([a-z' }), code: 'InvalidDocumentContent', message: 'Parameter "p" has an allowedPattern that is not a valid regular expression: ([a-z' },
    { name: 'default of the wrong type: StringList', content: param({ type: 'StringList', default: 'a' }), code: 'InvalidDocumentContent', message: 'Default value of parameter "p" does not satisfy its type.' },
    { name: 'default of the wrong type: Integer', content: param({ type: 'Integer', default: 'five' }), code: 'InvalidDocumentContent', message: 'Default value of parameter "p" does not satisfy its type.' },
    { name: 'Integer default in quotes', content: param({ type: 'Integer', default: '3' }), code: 'InvalidDocumentContent', message: 'Default value of parameter "p" does not satisfy its type.' },
    { name: 'Boolean default in quotes', content: param({ type: 'Boolean', default: 'true' }), code: 'InvalidDocumentContent', message: 'Default value of parameter "p" does not satisfy its type.' },
    { name: 'default of the wrong type: Boolean', content: param({ type: 'Boolean', default: 'yes' }), code: 'InvalidDocumentContent', message: 'Default value of parameter "p" does not satisfy its type.' },
    { name: 'default of the wrong type: StringMap', content: param({ type: 'StringMap', default: ['a'] }), code: 'InvalidDocumentContent', message: 'Default value of parameter "p" does not satisfy its type.' },
    { name: 'default of the wrong type: MapList', content: param({ type: 'MapList', default: ['a'] }), code: 'InvalidDocumentContent', message: 'Default value of parameter "p" does not satisfy its type.' },
    { name: 'default not allowed', content: param({ type: 'String', default: 'c', allowedValues: ['a', 'b'] }), code: 'InvalidDocumentContent', message: 'Default value of parameter "p" does not satisfy its allowedValues.' },
    { name: 'default off pattern', content: param({ type: 'String', default: 'A1', allowedPattern: '[a-z]+' }), code: 'InvalidDocumentContent', message: 'Default value of parameter "p" does not satisfy its allowedPattern.' },
    { name: 'default too short', content: param({ type: 'String', default: 'a', minChars: 2 }), code: 'InvalidDocumentContent', message: 'Default value of parameter "p" does not satisfy its minChars.' },
    { name: 'default too long', content: param({ type: 'String', default: 'abc', maxChars: 2 }), code: 'InvalidDocumentContent', message: 'Default value of parameter "p" does not satisfy its maxChars.' },
    { name: 'default too few items', content: param({ type: 'StringList', default: [], minItems: 1 }), code: 'InvalidDocumentContent', message: 'Default value of parameter "p" does not satisfy its minItems.' },
    { name: 'default too many items', content: param({ type: 'MapList', default: [{}, {}], maxItems: 1 }), code: 'InvalidDocumentContent', message: 'Default value of parameter "p" does not satisfy its maxItems.' },
    { name: 'a list item off pattern', content: param({ type: 'StringList', default: ['ok', 'NO'], allowedPattern: '[a-z]+' }), code: 'InvalidDocumentContent', message: 'Default value of parameter "p" does not satisfy its allowedPattern.' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.throws(() => parseDocumentContent(c.content, c.format ?? 'JSON', c.type ?? 'Command'), (error: Error & { code?: string }) => {
        assert.equal(error.code, c.code);
        assert.equal(error.message, c.message);
        return true;
      });
    });
  }

  test('a Parameter Store default is not held to its constraints', () => {
    const parsed = parseDocumentContent(param({ type: 'String', default: '{{ssm:/my/value}}', allowedPattern: '[0-9]+' }), 'JSON', 'Command');
    assert.equal(parsed.parameters[0].default, '{{ssm:/my/value}}');
  });
});

describe('conversion', () => {
  test('strings that plain YAML would misread (a flow list, an alias, a directive, a tag) are single-quoted and read back', () => {
    const texts = ['[Console]::Error.WriteLine("a: b")', '{x}"y', '*star "q"', '@at"', '%p"', '!bang "x"', '&amp "x"'];
    const body = { schemaVersion: '2.2', mainSteps: [{ action: 'aws:runPowerShellScript', name: 'odd', inputs: { runCommand: texts } }] };
    const yaml = convertContent(json(body), 'JSON', 'YAML');
    for (const text of texts) assert.ok(yaml.includes(`- '${text}'`), text);
    assert.deepEqual(JSON.parse(convertContent(yaml, 'YAML', 'JSON')), body);
  });

  const documents = [command22, command12, automation];
  for (const body of documents) {
    test(`JSON -> YAML -> JSON keeps schema ${body.schemaVersion}`, () => {
      const yaml = convertContent(json(body), 'JSON', 'YAML');
      assert.ok(yaml.startsWith('---\n'));
      assert.deepEqual(JSON.parse(convertContent(yaml, 'YAML', 'JSON')), body);
      assert.deepEqual(parseDocumentContent(yaml, 'YAML', body.schemaVersion === '0.3' ? 'Automation' : 'Command').body, body);
    });
  }
  test('YAML -> JSON -> YAML keeps the object', () => {
    const once = JSON.parse(convertContent(command22Yaml, 'YAML', 'JSON')) as unknown;
    assert.deepEqual(JSON.parse(convertContent(convertContent(command22Yaml, 'YAML', 'JSON'), 'JSON', 'JSON')), once);
    assert.deepEqual(JSON.parse(convertContent(convertContent(JSON.stringify(once), 'JSON', 'YAML'), 'YAML', 'JSON')), once);
  });
  test("AWS-RunPowerShellScript in YAML is AWS's own conversion (aws-cli's get-document example)", () => {
    const powerShell = builtInDocuments.find((d) => d.name === 'AWS-RunPowerShellScript');
    assert.ok(powerShell);
    assert.equal(convertContent(powerShell.content, 'JSON', 'YAML'), awsPowerShellYaml);
  });
  const layouts: { name: string; body: unknown; yaml: string }[] = [
    { name: 'start line, list items at their key', body: { mainSteps: [{ name: 'a', count: 1, b: true }] }, yaml: '---\nmainSteps:\n- name: a\n  count: 1\n  b: true\n' },
    { name: 'strings that read back as others are single-quoted', body: { a: '1.2', b: '', c: 'true', d: 'yes', on: 'off', n: 1 }, yaml: "---\na: '1.2'\nb: ''\nc: 'true'\nd: 'yes'\n'on': 'off'\n\"n\": 1\n" },
    { name: 'a leading non-word character is double-quoted', body: { a: '{{ x }}', b: '-v', c: '(x)', d: 'y', e: '~' }, yaml: '---\na: "{{ x }}"\nb: "-v"\nc: "(x)"\nd: "y"\ne: "~"\n' },
    { name: 'inner line breaks are a literal block', body: { script: 'echo a\necho b' }, yaml: '---\nscript: |-\n  echo a\n  echo b\n' },
    { name: 'a long bare list item folds at its own column', body: { l: [`${'word '.repeat(20)}end`] }, yaml: `---\nl:\n- ${'word '.repeat(15)}word\n  word word word word end\n` },
    { name: 'empty maps and lists', body: { m: {}, l: [] }, yaml: '---\nm: {}\nl: []\n' },
  ];
  for (const l of layouts) {
    test(`YAML layout: ${l.name}`, () => {
      assert.equal(convertContent(JSON.stringify(l.body), 'JSON', 'YAML'), l.yaml);
      assert.deepEqual(JSON.parse(convertContent(l.yaml, 'YAML', 'JSON')), l.body);
    });
  }
  for (const format of ['JSON', 'YAML', 'TEXT'] as const) {
    test(`${format} to itself is byte for byte`, () => {
      const content = format === 'JSON' ? '{ "schemaVersion" :"2.2" ,\r\n"x":1 }  \n' : '# comment\nschemaVersion:   "2.2"   \n\n';
      assert.equal(convertContent(content, format, format), content);
    });
  }
  test('TEXT does not convert', () => {
    assert.throws(() => convertContent('hi', 'TEXT', 'JSON'), { code: 'ValidationException' });
  });
});

describe('DescribeDocument parameters', () => {
  test('each type renders its default', () => {
    const parsed = parseDocumentContent(json(automation), 'JSON', 'Automation');
    assert.deepEqual(describedParameters(parsed), [
      { Name: 'InstanceId', Type: 'StringList' },
      { Name: 'AutomationAssumeRole', Type: 'String', DefaultValue: '' },
      { Name: 'Wait', Type: 'Integer', DefaultValue: '5' },
      { Name: 'Force', Type: 'Boolean', DefaultValue: 'false' },
      { Name: 'Tags', Type: 'MapList', DefaultValue: '[{"Key":"a","Value":"b"}]' },
      { Name: 'Extra', Type: 'StringMap', DefaultValue: '{"k":"v"}' },
    ]);
    const command = parseDocumentContent(json(command22), 'JSON', 'Command');
    assert.deepEqual(describedParameters(command)[1], { Name: 'names', Type: 'StringList', DefaultValue: '["a","b"]' });
  });
});

describe('SendCommand parameter resolution', () => {
  const spec = {
    text: { type: 'String', default: 'abc', allowedPattern: '[a-z]+', minChars: 2, maxChars: 5 },
    choice: { type: 'String', default: 'a', allowedValues: ['a', 'b'] },
    list: { type: 'StringList', default: ['x'], minItems: 1, maxItems: 2, allowedValues: ['x', 'y', 'z'] },
    count: { type: 'Integer', default: 3 },
    flag: { type: 'Boolean', default: true },
    map: { type: 'StringMap', default: { k: 'v' } },
    maps: { type: 'MapList', default: [{ k: 'v' }], maxItems: 2 },
    needed: { type: 'String' },
  };
  const document = parseDocumentContent(json({ schemaVersion: '2.2', parameters: spec, mainSteps: [{ action: 'aws:runShellScript', name: 's', inputs: { runCommand: ['{{ needed }}'] } }] }), 'JSON', 'Command');

  test('defaults applied to what is not sent', () => {
    assert.deepEqual(resolveParameterValues(document, { needed: ['go'] }), {
      text: ['abc'], choice: ['a'], list: ['x'], count: ['3'], flag: ['true'], map: ['{"k":"v"}'], maps: ['[{"k":"v"}]'], needed: ['go'],
    });
  });
  test('values sent are kept as sent', () => {
    const sent = { needed: ['go'], text: ['hello'], choice: ['b'], list: ['y', 'z'], count: ['-7'], flag: ['false'], map: ['{"a":"b"}'], maps: ['{"a":"b"}', '{"c":"d"}'] };
    assert.deepEqual(resolveParameterValues(document, sent), sent);
  });

  const refusals: { name: string; sent: Record<string, string[]>; message: string }[] = [
    { name: 'unknown', sent: { needed: ['go'], other: ['x'] }, message: 'Parameters [other] are not defined in the document.' },
    { name: 'missing', sent: {}, message: 'Parameters [needed] are required but not provided.' },
    { name: 'missing, sent empty', sent: { needed: [] }, message: 'Parameters [needed] are required but not provided.' },
    { name: 'two values for a String', sent: { needed: ['a', 'b'] }, message: 'Parameter "needed" is of type String and takes exactly one value, but 2 were given.' },
    { name: 'pattern', sent: { needed: ['go'], text: ['ABC'] }, message: 'Parameter "text" has value "ABC" not matching "[a-z]+".' },
    { name: 'minChars', sent: { needed: ['go'], text: ['a'] }, message: 'Parameter "text" has a value shorter than 2 characters.' },
    { name: 'maxChars', sent: { needed: ['go'], text: ['abcdef'] }, message: 'Parameter "text" has a value longer than 5 characters.' },
    { name: 'allowedValues', sent: { needed: ['go'], choice: ['c'] }, message: 'Parameter "choice" has value "c" not in {a, b}.' },
    { name: 'allowedValues in a list', sent: { needed: ['go'], list: ['x', 'w'] }, message: 'Parameter "list" has value "w" not in {x, y, z}.' },
    { name: 'minItems', sent: { needed: ['go'], list: [] }, message: 'Parameter "list" takes at least 1 values.' },
    { name: 'maxItems', sent: { needed: ['go'], list: ['x', 'y', 'z'] }, message: 'Parameter "list" takes at most 2 values.' },
    { name: 'maxItems of a MapList', sent: { needed: ['go'], maps: ['[{},{},{}]'] }, message: 'Parameter "maps" takes at most 2 values.' },
    { name: 'two values for an Integer', sent: { needed: ['go'], count: ['1', '2'] }, message: 'Parameter "count" is of type Integer and takes exactly one value, but 2 were given.' },
    { name: 'Integer', sent: { needed: ['go'], count: ['3.5'] }, message: 'Parameter "count" has value "3.5" that is not a valid Integer.' },
    { name: 'Boolean', sent: { needed: ['go'], flag: ['yes'] }, message: 'Parameter "flag" has value "yes" that is not a valid Boolean.' },
    { name: 'StringMap', sent: { needed: ['go'], map: ['[1]'] }, message: 'Parameter "map" has value "[1]" that is not a valid StringMap.' },
    { name: 'MapList', sent: { needed: ['go'], maps: ['not json'] }, message: 'Parameter "maps" has value "not json" that is not a valid MapList.' },
  ];
  for (const r of refusals) {
    test(`refused: ${r.name}`, () => {
      assert.throws(() => resolveParameterValues(document, r.sent), { code: 'InvalidParameters', message: r.message });
    });
  }
});
