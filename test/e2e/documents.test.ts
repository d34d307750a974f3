// The Amazon catalogue through the real AWS SDK (ListDocuments, DescribeDocument, GetDocument), and the
// parameter rules SendCommand applies to the script documents (newCommand over the catalogue's document) as pure functions.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  DescribeDocumentCommand,
  GetDocumentCommand,
  ListDocumentsCommand,
  paginateListDocuments,
} from '@aws-sdk/client-ssm';
import { parse as parseYaml } from 'yaml';
import { newCommand } from '../../src/domain/commands.ts';
import { catalogueDocument } from '../../src/service/runnable-documents.ts';

/** What SendCommand resolves before anything runs: the document at the version, the parameters with defaults. */
function resolveDocumentParameters(name: string, version: string | undefined, parameters: Record<string, string[]> | undefined) {
  const { command } = newCommand('c-1', { documentName: name, documentVersion: version, parameters, instanceIds: [] }, catalogueDocument(name, version), [], 0);
  return { document: { name: command.documentName }, pluginName: command.pluginName, parameters: command.parameters, executionTimeoutSeconds: command.executionTimeoutSeconds };
}
import { rejectsWith } from '../support/errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// The catalogue, in the order ListDocuments gives it.
const COMMANDS = [
  'AWS-ApplyPatchBaseline', 'AWS-ConfigureAWSPackage', 'AWS-RunDocument', 'AWS-RunPatchBaseline', 'AWS-RunPowerShellScript',
  'AWS-RunShellScript', 'AWS-UpdateSSMAgent',
];
const RUNBOOKS = ['AWS-CreateImage', 'AWS-PatchInstanceWithRollback', 'AWS-RestartEC2Instance', 'AWS-StartEC2Instance', 'AWS-StopEC2Instance'];
const SESSIONS = ['AWS-StartInteractiveCommand', 'AWS-StartNonInteractiveCommand', 'AWS-StartPortForwardingSession', 'SSM-SessionManagerRunShell'];
const NAMES = [...COMMANDS, ...RUNBOOKS, ...SESSIONS].sort();
const without = (...names: string[]) => NAMES.filter((n) => !names.includes(n));

describe('documents', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());
  const send = (command: any): Promise<any> => server.client.send(command);
  const names = (out: any) => out.DocumentIdentifiers.map((d: any) => d.Name);

  test('ListDocuments lists the Amazon catalogue with its identifiers', async () => {
    const out = await send(new ListDocumentsCommand({}));
    assert.deepEqual(names(out), NAMES);
    assert.equal(out.NextToken, undefined);
    const byName = (name: string) => out.DocumentIdentifiers.find((d: any) => d.Name === name);
    const shell = byName('AWS-RunShellScript');
    assert.deepEqual({ ...shell, CreatedDate: undefined }, {
      Name: 'AWS-RunShellScript',
      CreatedDate: undefined,
      Owner: 'Amazon',
      PlatformTypes: ['Linux', 'MacOS'],
      DocumentVersion: '1',
      DocumentType: 'Command',
      SchemaVersion: '1.2',
      DocumentFormat: 'JSON',
      Tags: [],
    });
    assert.ok(shell.CreatedDate instanceof Date);
    assert.deepEqual(byName('AWS-RunPowerShellScript').PlatformTypes, ['Windows', 'Linux', 'MacOS']);
    const patch = byName('AWS-RunPatchBaseline');
    assert.deepEqual([patch.Owner, patch.DocumentType, patch.SchemaVersion, patch.DocumentFormat, patch.PlatformTypes],
      ['Amazon', 'Command', '2.2', 'JSON', ['Windows', 'Linux', 'MacOS']]);
    assert.deepEqual(byName('AWS-ApplyPatchBaseline').PlatformTypes, ['Windows']);
    assert.deepEqual([byName('AWS-UpdateSSMAgent').SchemaVersion, byName('AWS-ConfigureAWSPackage').PlatformTypes], ['1.2', ['Windows', 'Linux']]);
    const restart = byName('AWS-RestartEC2Instance');
    assert.deepEqual([restart.Owner, restart.DocumentType, restart.SchemaVersion, restart.PlatformTypes], ['Amazon', 'Automation', '0.3', ['Windows', 'Linux', 'MacOS']]);
  });

  test('ListDocuments Filters: Owner, Name prefix, DocumentType, PlatformTypes, tags; keys ANDed, values ORed', async () => {
    const list = async (Filters: any) => names(await send(new ListDocumentsCommand({ Filters })));
    assert.deepEqual(await list([{ Key: 'Owner', Values: ['Amazon'] }]), NAMES);
    assert.deepEqual(await list([{ Key: 'Owner', Values: ['All'] }]), NAMES);
    assert.deepEqual(await list([{ Key: 'Owner', Values: ['Self'] }]), []);
    assert.deepEqual(await list([{ Key: 'Owner', Values: ['Private'] }]), []);
    assert.deepEqual(await list([{ Key: 'Name', Values: ['AWS-RunS'] }]), ['AWS-RunShellScript']);
    assert.deepEqual(await list([{ Key: 'Name', Values: ['AWS-RunS', 'AWS-RunP'] }]), ['AWS-RunPatchBaseline', 'AWS-RunPowerShellScript', 'AWS-RunShellScript']);
    assert.deepEqual(await list([{ Key: 'Name', Values: ['RunShell'] }]), [], 'Name is a prefix, not a substring');
    assert.deepEqual(await list([{ Key: 'DocumentType', Values: ['Command'] }]), COMMANDS);
    assert.deepEqual(await list([{ Key: 'DocumentType', Values: ['Automation'] }]), RUNBOOKS);
    assert.deepEqual(await list([{ Key: 'TargetType', Values: ['/AWS::EC2::Instance'] }]), RUNBOOKS, 'the runbooks target EC2 instances');
    const restart = await send(new DescribeDocumentCommand({ Name: 'AWS-RestartEC2Instance' }));
    assert.equal(restart.Document!.TargetType, '/AWS::EC2::Instance');
    assert.deepEqual(await list([{ Key: 'DocumentType', Values: ['Automation'] }, { Key: 'Owner', Values: ['Amazon'] }, { Key: 'Name', Values: ['AWS-St'] }]),
      ['AWS-StartEC2Instance', 'AWS-StopEC2Instance']);
    assert.deepEqual(await list([{ Key: 'DocumentType', Values: ['Session', 'Package'] }]), SESSIONS);
    assert.deepEqual(await list([{ Key: 'SchemaVersion', Values: ['1.2'] }]),
      ['AWS-ApplyPatchBaseline', 'AWS-RunPowerShellScript', 'AWS-RunShellScript', 'AWS-UpdateSSMAgent']);
    assert.deepEqual(await list([{ Key: 'PlatformTypes', Values: ['Windows'] }]), without('AWS-RunShellScript'));
    assert.deepEqual(await list([{ Key: 'PlatformTypes', Values: ['Linux'] }]), without('AWS-ApplyPatchBaseline'));
    assert.deepEqual(await list([{ Key: 'PlatformTypes', Values: ['MacOS'] }]), without('AWS-ApplyPatchBaseline', 'AWS-ConfigureAWSPackage', 'AWS-RunDocument'));
    assert.deepEqual(await list([{ Key: 'PlatformTypes', Values: ['Windows'] }, { Key: 'Name', Values: ['AWS-RunS'] }]), []);
    assert.deepEqual(await list([{ Key: 'tag:team', Values: ['ops'] }]), []);
    assert.deepEqual(await list([{ Key: 'SearchKeyword', Values: ['powershell'] }]), ['AWS-RunPowerShellScript']);
  });

  test('ListDocuments DocumentFilterList (deprecated): exact key/value pairs', async () => {
    const list = async (DocumentFilterList: any) => names(await send(new ListDocumentsCommand({ DocumentFilterList })));
    assert.deepEqual(await list([{ key: 'Name', value: 'AWS-RunShellScript' }]), ['AWS-RunShellScript']);
    assert.deepEqual(await list([{ key: 'Owner', value: 'Amazon' }, { key: 'PlatformTypes', value: 'MacOS' }, { key: 'DocumentType', value: 'Command' }]),
      ['AWS-RunPatchBaseline', 'AWS-RunPowerShellScript', 'AWS-RunShellScript', 'AWS-UpdateSSMAgent']);
    assert.deepEqual(await list([{ key: 'DocumentType', value: 'Automation' }]), RUNBOOKS);
    assert.deepEqual(await list([{ key: 'DocumentType', value: 'Policy' }]), []);
  });

  test('ListDocuments filter errors', async () => {
    await rejectsWith(send(new ListDocumentsCommand({ Filters: [{ Key: 'Colour', Values: ['red'] }] })), 'InvalidFilterKey', /Colour/);
    await rejectsWith(
      send(new ListDocumentsCommand({ Filters: [{ Key: 'Owner', Values: ['Amazon', 'Self'] }] })),
      'ValidationException',
      'Owner filter can only have one value.',
    );
    await rejectsWith(send(new ListDocumentsCommand({ Filters: [{ Key: 'Owner', Values: ['Nobody'] }] })), 'ValidationException', /Owner/);
    await rejectsWith(send(new ListDocumentsCommand({ Filters: [{ Key: 'Name', Values: [] }] })), 'ValidationException', /at least one value/);
    await rejectsWith(
      send(new ListDocumentsCommand({ DocumentFilterList: [{ key: 'Size' as any, value: 'x' }] })),
      'ValidationException',
      /documentFilterList\.1\.member\.key/,
    );
  });

  test('ListDocuments pagination: MaxResults, signed NextToken, paginator, bad tokens, MaxResults range', async () => {
    const first = await send(new ListDocumentsCommand({ MaxResults: 5 }));
    assert.deepEqual(names(first), NAMES.slice(0, 5));
    assert.equal(typeof first.NextToken, 'string');
    const second = await send(new ListDocumentsCommand({ MaxResults: 5, NextToken: first.NextToken }));
    assert.deepEqual(names(second), NAMES.slice(5, 10));
    const third = await send(new ListDocumentsCommand({ MaxResults: 5, NextToken: second.NextToken }));
    assert.deepEqual(names(third), NAMES.slice(10, 15));
    const fourth = await send(new ListDocumentsCommand({ MaxResults: 5, NextToken: third.NextToken }));
    assert.deepEqual(names(fourth), NAMES.slice(15));
    assert.equal(fourth.NextToken, undefined);

    const seen: string[] = [];
    for await (const page of paginateListDocuments({ client: server.client, pageSize: 1 }, {})) {
      seen.push(...(page.DocumentIdentifiers ?? []).map((d) => d.Name!));
    }
    assert.deepEqual(seen, NAMES);

    // A filtered page of one skips what the filter refuses (AWS-ApplyPatchBaseline is Windows only).
    const linux = await send(new ListDocumentsCommand({ MaxResults: 1, Filters: [{ Key: 'PlatformTypes', Values: ['Linux'] }] }));
    assert.deepEqual(names(linux), ['AWS-ConfigureAWSPackage']);
    assert.ok(linux.NextToken);
    const runbooks: string[] = [];
    for await (const page of paginateListDocuments({ client: server.client, pageSize: 2 }, { Filters: [{ Key: 'DocumentType', Values: ['Automation'] }] })) {
      runbooks.push(...(page.DocumentIdentifiers ?? []).map((d) => d.Name!));
    }
    assert.deepEqual(runbooks, RUNBOOKS);

    assert.deepEqual(names(await send(new ListDocumentsCommand({ NextToken: '' }))), NAMES);
    await rejectsWith(send(new ListDocumentsCommand({ NextToken: 'bm90IGEgdG9rZW4=' })), 'InvalidNextToken', 'The specified token is not valid.');
    const altered = `${first.NextToken.slice(0, -4)}AAA=`;
    await rejectsWith(send(new ListDocumentsCommand({ NextToken: altered })), 'InvalidNextToken');
    await rejectsWith(send(new ListDocumentsCommand({ MaxResults: 51 })), 'ValidationException', /maxResults.*less than or equal to 50/);
    await rejectsWith(send(new ListDocumentsCommand({ MaxResults: 0 })), 'ValidationException', /maxResults.*greater than or equal to 1/);
  });

  test('DescribeDocument shows the document as AWS describes it', async () => {
    const { Document: d } = await send(new DescribeDocumentCommand({ Name: 'AWS-RunShellScript' }));
    const { Content } = await send(new GetDocumentCommand({ Name: 'AWS-RunShellScript' }));
    assert.equal(d.Hash, createHash('sha256').update(Content).digest('hex'));
    assert.match(d.Hash, /^[0-9a-f]{64}$/);
    assert.equal(d.HashType, 'Sha256');
    assert.equal(d.Name, 'AWS-RunShellScript');
    assert.equal(d.Owner, 'Amazon');
    assert.equal(d.Status, 'Active');
    assert.equal(d.DocumentVersion, '1');
    assert.equal(d.LatestVersion, '1');
    assert.equal(d.DefaultVersion, '1');
    assert.equal(d.DocumentType, 'Command');
    assert.equal(d.DocumentFormat, 'JSON');
    assert.equal(d.SchemaVersion, '1.2');
    assert.deepEqual(d.PlatformTypes, ['Linux', 'MacOS']);
    assert.equal(d.Description, 'Run a shell script or specify the commands to run.');
    assert.ok(d.CreatedDate instanceof Date);
    assert.deepEqual(d.Parameters.map((p: any) => [p.Name, p.Type, p.DefaultValue]), [
      ['commands', 'StringList', undefined],
      ['workingDirectory', 'String', ''],
      ['executionTimeout', 'String', '3600'],
    ]);
    assert.ok(d.Parameters.every((p: any) => typeof p.Description === 'string' && p.Description.length > 0));

    for (const DocumentVersion of ['1', '$LATEST', '$DEFAULT']) {
      const out = await send(new DescribeDocumentCommand({ Name: 'AWS-RunPowerShellScript', DocumentVersion }));
      assert.equal(out.Document.Name, 'AWS-RunPowerShellScript');
      assert.deepEqual(out.Document.PlatformTypes, ['Windows', 'Linux', 'MacOS']);
    }
  });

  test('DescribeDocument of AWS-RunPatchBaseline shows its parameters as AWS renders them', async () => {
    const { Document: d } = await send(new DescribeDocumentCommand({ Name: 'AWS-RunPatchBaseline' }));
    const { Content } = await send(new GetDocumentCommand({ Name: 'AWS-RunPatchBaseline' }));
    assert.equal(d.Hash, createHash('sha256').update(Content).digest('hex'));
    assert.deepEqual([d.Owner, d.DocumentType, d.SchemaVersion, d.DocumentFormat, d.DocumentVersion, d.Status], ['Amazon', 'Command', '2.2', 'JSON', '1', 'Active']);
    assert.deepEqual(d.PlatformTypes, ['Windows', 'Linux', 'MacOS']);
    // Name, Type, Description, and DefaultValue only where the document has a default (Operation is required).
    assert.deepEqual(d.Parameters.map((p: any) => [p.Name, p.Type, p.DefaultValue]), [
      ['Operation', 'String', undefined],
      ['AssociationId', 'String', ''],
      ['SnapshotId', 'String', ''],
      ['InstallOverrideList', 'String', ''],
      ['RebootOption', 'String', 'RebootIfNeeded'],
      ['BaselineOverride', 'String', ''],
    ]);
    assert.ok(d.Parameters.every((p: any) => Object.keys(p).every((k) => ['Name', 'Type', 'Description', 'DefaultValue'].includes(k))));
    assert.match(d.Parameters[0].Description, /^\(Required\) Scan .* Install /);
    const content = JSON.parse(Content);
    assert.deepEqual(content.parameters.Operation.allowedValues, ['Scan', 'Install']);
    assert.deepEqual(content.parameters.RebootOption.allowedValues, ['RebootIfNeeded', 'NoReboot']);
    assert.deepEqual(content.mainSteps.map((s: any) => [s.name, s.precondition.StringEquals[1]]), [['PatchWindows', 'Windows'], ['PatchLinux', 'Linux'], ['PatchMacOS', 'MacOS']]);
  });

  test('The other catalogue documents describe their parameters: typed defaults rendered as text, Automation runbooks', async () => {
    const params = async (Name: string) =>
      (await send(new DescribeDocumentCommand({ Name }))).Document.Parameters.map((p: any) => [p.Name, p.Type, p.DefaultValue]);
    assert.deepEqual(await params('AWS-UpdateSSMAgent'), [['version', 'String', ''], ['allowDowngrade', 'String', 'false']]);
    assert.deepEqual(await params('AWS-ConfigureAWSPackage'), [
      ['action', 'String', undefined],
      ['installationType', 'String', 'Uninstall and reinstall'],
      ['name', 'String', undefined],
      ['version', 'String', ''],
      ['additionalArguments', 'StringMap', '{}'],
    ]);
    assert.deepEqual(await params('AWS-RunDocument'), [['sourceType', 'String', undefined], ['sourceInfo', 'StringMap', undefined], ['documentParameters', 'StringMap', '{}']]);
    assert.deepEqual(await params('AWS-StopEC2Instance'), [['InstanceId', 'StringList', undefined], ['AutomationAssumeRole', 'String', '']]);
    assert.deepEqual(await params('AWS-CreateImage'), [['InstanceId', 'String', undefined], ['NoReboot', 'Boolean', 'false'], ['AutomationAssumeRole', 'String', '']]);

    const { Document: image } = await send(new DescribeDocumentCommand({ Name: 'AWS-CreateImage' }));
    assert.deepEqual([image.DocumentType, image.SchemaVersion, image.PlatformTypes], ['Automation', '0.3', ['Windows', 'Linux', 'MacOS']]);
    const got = await send(new GetDocumentCommand({ Name: 'AWS-RestartEC2Instance' }));
    assert.deepEqual([got.DocumentType, got.DocumentFormat], ['Automation', 'JSON']);
    const runbook = JSON.parse(got.Content);
    assert.equal(runbook.assumeRole, '{{ AutomationAssumeRole }}');
    assert.deepEqual(runbook.mainSteps.map((s: any) => [s.action, s.inputs.DesiredState]), [['aws:changeInstanceState', 'stopped'], ['aws:changeInstanceState', 'running']]);
  });

  test('DescribeDocument and GetDocument errors', async () => {
    for (const Command of [DescribeDocumentCommand, GetDocumentCommand]) {
      await rejectsWith(send(new Command({ Name: 'AWS-NoSuchDocument' })), 'InvalidDocument', 'The specified document does not exist.');
      await rejectsWith(send(new Command({ Name: 'aws-runshellscript' })), 'InvalidDocument');
      await rejectsWith(
        send(new Command({ Name: 'AWS-RunShellScript', DocumentVersion: '2' })),
        'InvalidDocumentVersion',
        'The document version is not valid or does not exist.',
      );
      await rejectsWith(send(new Command({ Name: 'AWS-RunShellScript', VersionName: 'v1' })), 'InvalidDocumentVersion');
      await rejectsWith(send(new Command({ Name: 'AWS-RunShellScript', DocumentVersion: 'x' })), 'ValidationException', /documentVersion/);
      await rejectsWith(send(new Command({ Name: 'ab' })), 'ValidationException', /name/);
    }
  });

  test('GetDocument returns the content, whose parameters and plugin are those of AWS-RunShellScript', async () => {
    const out = await send(new GetDocumentCommand({ Name: 'AWS-RunShellScript' }));
    assert.equal(out.Name, 'AWS-RunShellScript');
    assert.equal(out.DocumentVersion, '1');
    assert.equal(out.Status, 'Active');
    assert.equal(out.DocumentType, 'Command');
    assert.equal(out.DocumentFormat, 'JSON');
    assert.ok(out.CreatedDate instanceof Date);
    const content = JSON.parse(out.Content);
    assert.equal(content.schemaVersion, '1.2');
    assert.equal(content.description, 'Run a shell script or specify the commands to run.');
    assert.deepEqual(Object.keys(content.parameters), ['commands', 'workingDirectory', 'executionTimeout']);
    assert.equal(content.parameters.commands.type, 'StringList');
    assert.equal(content.parameters.commands.minItems, 1);
    assert.equal(content.parameters.commands.default, undefined);
    assert.deepEqual([content.parameters.workingDirectory.type, content.parameters.workingDirectory.default], ['String', '']);
    assert.deepEqual([content.parameters.executionTimeout.type, content.parameters.executionTimeout.default], ['String', '3600']);
    assert.equal(content.parameters.executionTimeout.allowedPattern, '([1-9][0-9]{0,4})|(1[0-6][0-9]{4})|(17[0-1][0-9]{3})|(172[0-7][0-9]{2})|(172800)');
    assert.deepEqual(Object.keys(content.runtimeConfig), ['aws:runShellScript']);
    assert.deepEqual(content.runtimeConfig['aws:runShellScript'].properties[0], {
      id: '0.aws:runShellScript',
      runCommand: '{{ commands }}',
      workingDirectory: '{{ workingDirectory }}',
      timeoutSeconds: '{{ executionTimeout }}',
    });

    const ps = JSON.parse((await send(new GetDocumentCommand({ Name: 'AWS-RunPowerShellScript', DocumentVersion: '$LATEST' }))).Content);
    assert.deepEqual(Object.keys(ps.runtimeConfig), ['aws:runPowerShellScript']);
    assert.deepEqual(Object.keys(ps.parameters), ['commands', 'workingDirectory', 'executionTimeout']);
  });

  test('GetDocument converts to YAML on request; TEXT is refused', async () => {
    const json = await send(new GetDocumentCommand({ Name: 'AWS-RunShellScript', DocumentFormat: 'JSON' }));
    assert.equal(json.DocumentFormat, 'JSON');
    const yaml = await send(new GetDocumentCommand({ Name: 'AWS-RunShellScript', DocumentFormat: 'YAML' }));
    assert.equal(yaml.DocumentFormat, 'YAML');
    // The conversion the account's own documents get (AWS's layout: ---, '1.2' single-quoted, list items at their key's indent).
    assert.match(yaml.Content, /^---\nschemaVersion: '1\.2'\ndescription: Run a shell script or specify the commands to run\.\n/);
    assert.match(yaml.Content, /\n {4}- id: 0\.aws:runShellScript\n {6}runCommand: "\{\{ commands \}\}"\n/);
    assert.deepEqual(parseYaml(yaml.Content, { version: '1.1' }), JSON.parse(json.Content));
    // The runbooks and the schema 2.2 documents convert the same way, and read back as their JSON.
    for (const Name of ['AWS-RunPatchBaseline', 'AWS-PatchInstanceWithRollback', 'AWS-ConfigureAWSPackage']) {
      const [asJson, asYaml] = await Promise.all((['JSON', 'YAML'] as const).map((DocumentFormat) => send(new GetDocumentCommand({ Name, DocumentFormat }))));
      assert.ok(asYaml.Content.startsWith('---\n'), Name);
      assert.deepEqual(parseYaml(asYaml.Content, { version: '1.1' }), JSON.parse(asJson.Content), Name);
    }
    await rejectsWith(send(new GetDocumentCommand({ Name: 'AWS-RunShellScript', DocumentFormat: 'TEXT' })), 'ValidationException', 'Invalid document format TEXT');
  });
});

describe('SendCommand\'s resolution of a catalogue document', () => {
  const problem = (fn: () => unknown, code: string, message: string | RegExp) =>
    assert.throws(fn, (error: any) => {
      assert.equal(error.code, code);
      if (typeof message === 'string') assert.equal(error.message, message);
      else assert.match(error.message, message);
      return true;
    });

  test('fills the defaults and reports the plugin and execution timeout', () => {
    const resolved = resolveDocumentParameters('AWS-RunShellScript', undefined, { commands: ['echo hi', 'uname -a'] });
    assert.equal(resolved.document.name, 'AWS-RunShellScript');
    assert.equal(resolved.pluginName, 'aws:runShellScript');
    assert.deepEqual(resolved.parameters, { commands: ['echo hi', 'uname -a'], workingDirectory: [''], executionTimeout: ['3600'] });
    assert.equal(resolved.executionTimeoutSeconds, 3600);

    const ps = resolveDocumentParameters('AWS-RunPowerShellScript', '$DEFAULT', {
      commands: ['Get-Date'],
      workingDirectory: ['C:\\temp'],
      executionTimeout: ['172800'],
    });
    assert.equal(ps.pluginName, 'aws:runPowerShellScript');
    assert.deepEqual(ps.parameters.workingDirectory, ['C:\\temp']);
    assert.equal(ps.executionTimeoutSeconds, 172800);
    for (const version of ['1', '$LATEST']) {
      assert.equal(resolveDocumentParameters('AWS-RunShellScript', version, { commands: ['x'] }).executionTimeoutSeconds, 3600);
    }
  });

  test('does not share the caller\'s arrays', () => {
    const commands = ['ls'];
    const resolved = resolveDocumentParameters('AWS-RunShellScript', undefined, { commands });
    resolved.parameters.commands.push('pwd');
    assert.deepEqual(commands, ['ls']);
  });

  test('unknown document and version', () => {
    problem(() => resolveDocumentParameters('AWS-Nope', undefined, { commands: ['x'] }), 'InvalidDocument', 'The specified document does not exist.');
    problem(
      () => resolveDocumentParameters('AWS-RunShellScript', '7', { commands: ['x'] }),
      'InvalidDocumentVersion',
      'The document version is not valid or does not exist.',
    );
  });

  test('InvalidParameters: unknown, missing, empty list, pattern, several values for a String, too long', () => {
    problem(
      () => resolveDocumentParameters('AWS-RunShellScript', undefined, { commands: ['x'], xyz: ['1'], abc: ['2'] }),
      'InvalidParameters',
      'Parameters [xyz, abc] are not defined in the document.',
    );
    problem(() => resolveDocumentParameters('AWS-RunShellScript', undefined, undefined), 'InvalidParameters', 'Parameters [commands] are required but not provided.');
    problem(() => resolveDocumentParameters('AWS-RunShellScript', undefined, { commands: [] }), 'InvalidParameters', /\[commands\] are required/);
    problem(
      () => resolveDocumentParameters('AWS-RunShellScript', undefined, { commands: ['x'], executionTimeout: ['abc'] }),
      'InvalidParameters',
      'Parameter "executionTimeout" has value "abc" not matching "([1-9][0-9]{0,4})|(1[0-6][0-9]{4})|(17[0-1][0-9]{3})|(172[0-7][0-9]{2})|(172800)".',
    );
    // The pattern applies to the whole value: 172801 and 0 are out, 59 and 172800 in.
    for (const bad of ['172801', '0', '', '3600s', '1000000']) {
      problem(() => resolveDocumentParameters('AWS-RunShellScript', undefined, { commands: ['x'], executionTimeout: [bad] }), 'InvalidParameters', /not matching/);
    }
    for (const good of ['1', '59', '99999', '100000', '169999', '171999', '172799', '172800']) {
      assert.equal(resolveDocumentParameters('AWS-RunShellScript', undefined, { commands: ['x'], executionTimeout: [good] }).executionTimeoutSeconds, Number(good));
    }
    problem(
      () => resolveDocumentParameters('AWS-RunShellScript', undefined, { commands: ['x'], workingDirectory: ['/a', '/b'] }),
      'InvalidParameters',
      /"workingDirectory" is of type String/,
    );
    problem(
      () => resolveDocumentParameters('AWS-RunShellScript', undefined, { commands: ['x'], workingDirectory: ['d'.repeat(4097)] }),
      'InvalidParameters',
      /longer than 4096/,
    );
  });
});
