// The Amazon catalogue: every entry parses as the account's own documents do, names are sorted and unique,
// and each document shows the facts AWS documents for it.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { catalogue } from '../../src/domain/catalogue/index.ts';
import { describedParameters, parseDocumentContent } from '../../src/domain/document-content.ts';
import { builtInDocuments, documentContent, findDocument } from '../../src/domain/documents.ts';
import { newCommand } from '../../src/domain/commands.ts';
import { catalogueDocument } from '../../src/service/runnable-documents.ts';

const ALL = ['Windows', 'Linux', 'MacOS'];
const GUID = '12345699-9405-4f69-bc5e-9315aeeeeeee';

/** name -> [type, default] as DescribeDocument shows them. */
function shown(name: string): Record<string, [string, string | undefined]> {
  const d = findDocument(name);
  return Object.fromEntries(describedParameters(d.parsed).map((p) => [p.Name, [p.Type, p.DefaultValue]]));
}

function declared(name: string, parameter: string) {
  const p = findDocument(name).parameters.find((q) => q.name === parameter);
  assert.ok(p, `${name} declares ${parameter}`);
  return p;
}

const matches = (pattern: string, value: string) => new RegExp(`^(?:${pattern})$`).test(value);

describe('the catalogue', () => {
  test('names are sorted, unique and AWS- or SSM-prefixed; the issues\' documents are all there', () => {
    const names = catalogue.map((e) => e.name);
    assert.deepEqual(names, [...names].sort());
    assert.equal(new Set(names).size, names.length);
    // SSM-SessionManagerRunShell is the one Amazon document AWS names with SSM-.
    assert.ok(names.every((n) => /^(AWS|SSM)-[A-Za-z0-9]+$/.test(n)));
    assert.deepEqual(builtInDocuments.map((d) => d.name), names);
    for (const wanted of [
      'AWS-RunShellScript', 'AWS-RunPowerShellScript', 'AWS-RunPatchBaseline', 'AWS-UpdateSSMAgent', 'AWS-ConfigureAWSPackage',
      'AWS-RunDocument', 'AWS-ApplyPatchBaseline', 'AWS-RestartEC2Instance', 'AWS-StopEC2Instance', 'AWS-StartEC2Instance',
      'AWS-CreateImage', 'AWS-PatchInstanceWithRollback', 'SSM-SessionManagerRunShell', 'AWS-StartInteractiveCommand',
      'AWS-StartNonInteractiveCommand', 'AWS-StartPortForwardingSession',
    ]) {
      assert.ok(names.includes(wanted), wanted);
    }
  });

  for (const entry of catalogue) {
    test(`${entry.name} parses as a ${entry.documentType} document and describes itself from its content`, () => {
      const parsed = parseDocumentContent(entry.content, entry.documentFormat, entry.documentType);
      const d = findDocument(entry.name);
      assert.equal(d.owner, 'Amazon');
      assert.equal(d.version, '1');
      assert.equal(d.documentType, entry.documentType);
      assert.equal(d.documentFormat, 'JSON');
      assert.equal(d.schemaVersion, parsed.schemaVersion);
      assert.equal(d.schemaVersion, entry.documentType === 'Automation' ? '0.3' : d.schemaVersion);
      assert.ok(d.description.length > 0, 'has a description');
      assert.equal(d.description, parsed.description);
      assert.deepEqual(d.platformTypes, entry.platformTypes ?? parsed.platformTypes);
      assert.deepEqual(d.parameters.map((p) => [p.name, p.type, p.defaultValue]), describedParameters(parsed).map((p) => [p.Name, p.Type, p.DefaultValue]));
      assert.ok(d.parameters.every((p) => p.description.length > 0), 'every parameter is described');
      assert.equal(d.hash, createHash('sha256').update(entry.content).digest('hex'));
      assert.ok(entry.content.endsWith('}\n'));
      // JSON content reads back as the same body in YAML and again in JSON.
      assert.deepEqual(parseDocumentContent(documentContent(d, 'YAML'), 'YAML', entry.documentType).body, parsed.body);
      assert.equal(documentContent(d, 'JSON'), entry.content);
    });
  }

  test('the script documents keep their bytes: the hash AWS-RunShellScript and AWS-RunPowerShellScript always had', () => {
    assert.equal(findDocument('AWS-RunShellScript').hash, '0a6504615f081de8792cb27a1690ce655957ceedffcc8ebf5c51289b3121cc34');
    assert.equal(findDocument('AWS-RunPowerShellScript').hash, '2142e42a19e0955cc09e43600bf2e633df1917b69d2be9693737dfd62e0fdf61');
    assert.deepEqual(findDocument('AWS-RunShellScript').platformTypes, ['Linux', 'MacOS']);
    assert.deepEqual(findDocument('AWS-RunPowerShellScript').platformTypes, ALL);
    assert.deepEqual(findDocument('AWS-RunShellScript').parsed.steps.map((step) => step.name), ['aws:runShellScript']);
  });

  test('AWS-RunPatchBaseline: schema 2.2, every platform, Operation required, the rest with their defaults and patterns', () => {
    const d = findDocument('AWS-RunPatchBaseline');
    assert.equal(d.schemaVersion, '2.2');
    assert.equal(d.documentType, 'Command');
    assert.deepEqual(d.platformTypes, ALL);
    assert.deepEqual(shown('AWS-RunPatchBaseline'), {
      Operation: ['String', undefined],
      AssociationId: ['String', ''],
      SnapshotId: ['String', ''],
      InstallOverrideList: ['String', ''],
      RebootOption: ['String', 'RebootIfNeeded'],
      BaselineOverride: ['String', ''],
    });
    assert.deepEqual(declared('AWS-RunPatchBaseline', 'Operation').allowedValues, ['Scan', 'Install']);
    assert.deepEqual(declared('AWS-RunPatchBaseline', 'RebootOption').allowedValues, ['RebootIfNeeded', 'NoReboot']);
    const snapshot = declared('AWS-RunPatchBaseline', 'SnapshotId').allowedPattern!;
    for (const ok of ['', GUID]) assert.ok(matches(snapshot, ok), ok);
    for (const bad of ['abc', `${GUID}x`]) assert.ok(!matches(snapshot, bad), bad);
    const list = declared('AWS-RunPatchBaseline', 'InstallOverrideList').allowedPattern!;
    for (const ok of ['', 'https://example.com/list.yaml', 's3://bucket/path/list.yaml']) assert.ok(matches(list, ok), ok);
    for (const bad of ['http://example.com/list.yaml', 's3://bucket', 'ftp://x/y']) assert.ok(!matches(list, bad), bad);
    // One step per platform, each behind its platformType precondition.
    assert.deepEqual(d.parsed.steps.map((s) => [s.name, s.action, s.precondition?.StringEquals[1]]), [
      ['PatchWindows', 'aws:runPowerShellScript', 'Windows'],
      ['PatchLinux', 'aws:runShellScript', 'Linux'],
      ['PatchMacOS', 'aws:runShellScript', 'MacOS'],
    ]);
  });

  test('AWS-ApplyPatchBaseline: the legacy schema 1.2 document, Windows only', () => {
    const d = findDocument('AWS-ApplyPatchBaseline');
    assert.equal(d.schemaVersion, '1.2');
    assert.deepEqual(d.platformTypes, ['Windows']);
    assert.deepEqual(shown('AWS-ApplyPatchBaseline'), { Operation: ['String', undefined], SnapshotId: ['String', ''] });
    assert.deepEqual(d.parsed.steps.map((s) => s.action), ['aws:runPowerShellScript']);
  });

  test('AWS-UpdateSSMAgent: version and allowDowngrade (\'true\' | \'false\', default \'false\'), the agent\'s own plugin', () => {
    const d = findDocument('AWS-UpdateSSMAgent');
    assert.equal(d.schemaVersion, '1.2');
    assert.deepEqual(d.platformTypes, ALL);
    assert.deepEqual(shown('AWS-UpdateSSMAgent'), { version: ['String', ''], allowDowngrade: ['String', 'false'] });
    assert.deepEqual(declared('AWS-UpdateSSMAgent', 'allowDowngrade').allowedValues, ['true', 'false']);
    assert.deepEqual(d.parsed.steps.map((s) => s.action), ['aws:updateSsmAgent']);
  });

  test('AWS-ConfigureAWSPackage: action, installationType, name, version, additionalArguments (a StringMap)', () => {
    const d = findDocument('AWS-ConfigureAWSPackage');
    assert.equal(d.schemaVersion, '2.2');
    assert.deepEqual(d.platformTypes, ['Windows', 'Linux']);
    assert.deepEqual(shown('AWS-ConfigureAWSPackage'), {
      action: ['String', undefined],
      installationType: ['String', 'Uninstall and reinstall'],
      name: ['String', undefined],
      version: ['String', ''],
      additionalArguments: ['StringMap', '{}'],
    });
    assert.deepEqual(declared('AWS-ConfigureAWSPackage', 'action').allowedValues, ['Install', 'Uninstall']);
    const name = declared('AWS-ConfigureAWSPackage', 'name').allowedPattern!;
    for (const ok of ['AmazonCloudWatchAgent', 'AWSPVDriver', 'arn:aws:ssm:us-east-1:123456789012:document/MyPackage']) assert.ok(matches(name, ok), ok);
    assert.ok(!matches(name, 'two words'));
  });

  test('AWS-RunDocument: sourceType, sourceInfo and documentParameters; downloads, then runs', () => {
    const d = findDocument('AWS-RunDocument');
    assert.equal(d.schemaVersion, '2.2');
    assert.deepEqual(shown('AWS-RunDocument'), {
      sourceType: ['String', undefined],
      sourceInfo: ['StringMap', undefined],
      documentParameters: ['StringMap', '{}'],
    });
    assert.deepEqual(declared('AWS-RunDocument', 'sourceType').allowedValues, ['GitHub', 'S3', 'SSMDocument']);
    assert.deepEqual(d.parsed.steps.map((s) => s.action), ['aws:downloadContent', 'aws:runDocument']);
  });

  test('the EC2 runbooks: Automation, schema 0.3, every platform, an EC2 instance target, InstanceId and AutomationAssumeRole', () => {
    for (const name of ['AWS-RestartEC2Instance', 'AWS-StopEC2Instance', 'AWS-StartEC2Instance']) {
      const d = findDocument(name);
      assert.equal(d.documentType, 'Automation');
      assert.equal(d.schemaVersion, '0.3');
      assert.deepEqual(d.platformTypes, ALL);
      assert.equal(d.targetType, '/AWS::EC2::Instance');
      assert.deepEqual(shown(name), { InstanceId: ['StringList', undefined], AutomationAssumeRole: ['String', ''] });
      assert.ok(d.parsed.steps.every((s) => s.action === 'aws:changeInstanceState'), name);
    }
    assert.deepEqual(findDocument('AWS-RestartEC2Instance').parsed.steps.map((s) => s.name), ['stopInstances', 'startInstances']);

    const image = findDocument('AWS-CreateImage');
    assert.deepEqual(shown('AWS-CreateImage'), { InstanceId: ['String', undefined], NoReboot: ['Boolean', 'false'], AutomationAssumeRole: ['String', ''] });
    assert.deepEqual(image.parsed.steps.map((s) => s.action), ['aws:createImage']);
    assert.deepEqual(image.parsed.body.outputs, ['createImage.ImageId']);

    const rollback = findDocument('AWS-PatchInstanceWithRollback');
    assert.equal(rollback.documentType, 'Automation');
    assert.deepEqual(shown('AWS-PatchInstanceWithRollback'), {
      InstanceId: ['String', undefined], ReportS3Bucket: ['String', ''], LambdaAssumeRole: ['String', ''], AutomationAssumeRole: ['String', ''],
    });
    const steps = rollback.parsed.steps;
    assert.equal(steps[0].action, 'aws:createStack');
    assert.equal(steps.at(-1)?.action, 'aws:deleteStack');
    assert.deepEqual(steps.find((s) => s.name === 'installMissingUpdates')?.inputs, {
      DocumentName: 'AWS-RunPatchBaseline', InstanceIds: ['{{ InstanceId }}'], Parameters: { Operation: 'Install' },
    });
  });

  test('every Command document runs, one plugin per step; the runbooks are not Command documents', () => {
    const run = (name: string, parameters: Record<string, string[]>) =>
      newCommand('c-1', { documentName: name, parameters, instanceIds: [] }, catalogueDocument(name), [], 0).command;
    assert.deepEqual(run('AWS-RunPatchBaseline', { Operation: ['Scan'] }).plugins!.map((p) => p.name), ['PatchWindows', 'PatchLinux', 'PatchMacOS']);
    assert.deepEqual(run('AWS-RunShellScript', { commands: ['true'] }).plugins!.map((p) => [p.name, p.action]), [['aws:runShellScript', 'aws:runShellScript']]);
    for (const name of ['AWS-RestartEC2Instance', 'AWS-CreateImage']) {
      assert.throws(() => catalogueDocument(name), (e: any) => e.code === 'InvalidDocument');
    }
  });
});
