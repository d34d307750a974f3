// The documents an account writes, through the real AWS SDK: CreateDocument, GetDocument, DescribeDocument,
// UpdateDocument, UpdateDocumentDefaultVersion, ListDocumentVersions, ListDocuments, DeleteDocument, with
// their errors; content kept byte for byte; and the aws CLI creating a YAML document from a file.

import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  CreateDocumentCommand,
  DeleteDocumentCommand,
  DescribeDocumentCommand,
  GetDocumentCommand,
  ListDocumentsCommand,
  ListDocumentVersionsCommand,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
} from '@aws-sdk/client-ssm';
import { rejectsWith } from '../support/errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const run = promisify(execFile);
const hasAws = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;

// Spacing, key order and a trailing newline a re-serialisation would lose.
const JSON_CONTENT = `{
   "schemaVersion":"2.2",
  "description": "Say hello",
  "parameters": { "greeting": { "type": "String", "default": "hello", "description": "What to say" } },
  "mainSteps": [ { "action": "aws:runShellScript", "name": "hello", "inputs": { "runCommand": ["echo {{ greeting }}"] } } ]
}
`;
const YAML_CONTENT = `---
schemaVersion: '2.2'   # a comment a converter drops
description: Say hello in YAML
parameters:
  greeting:
    type: String
    default: hi
mainSteps:
  - action: aws:runShellScript
    name: hello
    inputs:
      runCommand:
        - echo {{ greeting }}
`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const variant = (n: number) => JSON_CONTENT.replace('Say hello', `Say hello ${n}`);

describe('user documents', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());
  const send = (command: any): Promise<any> => server.client.send(command);

  test('CreateDocument answers the description; Describe and Get give it back, content byte for byte', async () => {
    const created = (await send(new CreateDocumentCommand({
      Name: 'hello-json', Content: JSON_CONTENT, DocumentType: 'Command', VersionName: 'first', DisplayName: 'Hello',
      TargetType: '/AWS::EC2::Instance', Tags: [{ Key: 'team', Value: 'ops' }],
    }))).DocumentDescription;
    assert.equal(created.Name, 'hello-json');
    assert.equal(created.Hash, sha256(JSON_CONTENT));
    assert.equal(created.HashType, 'Sha256');
    assert.equal(created.Status, 'Active');
    assert.equal(created.DocumentVersion, '1');
    assert.equal(created.LatestVersion, '1');
    assert.equal(created.DefaultVersion, '1');
    assert.equal(created.VersionName, 'first');
    assert.equal(created.DisplayName, 'Hello');
    assert.equal(created.Owner, '000000000000');
    assert.equal(created.DocumentFormat, 'JSON');
    assert.equal(created.DocumentType, 'Command');
    assert.equal(created.SchemaVersion, '2.2');
    assert.equal(created.Description, 'Say hello');
    assert.equal(created.TargetType, '/AWS::EC2::Instance');
    assert.deepEqual(created.PlatformTypes, ['Linux', 'MacOS']);
    assert.deepEqual(created.Tags, [{ Key: 'team', Value: 'ops' }]);
    assert.deepEqual(created.Parameters, [{ Name: 'greeting', Type: 'String', Description: 'What to say', DefaultValue: 'hello' }]);
    assert.ok(created.CreatedDate instanceof Date);

    const described = (await send(new DescribeDocumentCommand({ Name: 'hello-json' }))).Document;
    assert.deepEqual(described, created);
    const got = await send(new GetDocumentCommand({ Name: 'hello-json' }));
    assert.equal(got.Content, JSON_CONTENT);
    assert.equal(got.DocumentFormat, 'JSON');
    assert.equal(got.DocumentVersion, '1');
    assert.equal(got.VersionName, 'first');
    assert.equal(got.Status, 'Active');
    // Converted on request: YAML of the same document.
    const asYaml = await send(new GetDocumentCommand({ Name: 'hello-json', DocumentFormat: 'YAML' }));
    assert.equal(asYaml.DocumentFormat, 'YAML');
    assert.match(asYaml.Content, /schemaVersion: .?2\.2/);
  });

  test('YAML content round-trips byte for byte, and converts to JSON', async () => {
    const created = (await send(new CreateDocumentCommand({ Name: 'hello-yaml', Content: YAML_CONTENT, DocumentFormat: 'YAML' }))).DocumentDescription;
    assert.equal(created.Hash, sha256(YAML_CONTENT));
    assert.equal(created.DocumentType, 'Command', 'Command by default');
    assert.equal((await send(new GetDocumentCommand({ Name: 'hello-yaml' }))).Content, YAML_CONTENT);
    const asJson = await send(new GetDocumentCommand({ Name: 'hello-yaml', DocumentFormat: 'JSON' }));
    assert.equal(JSON.parse(asJson.Content).description, 'Say hello in YAML');
    assert.equal((await send(new GetDocumentCommand({ Name: 'hello-yaml', DocumentFormat: 'YAML' }))).Content, YAML_CONTENT);
  });

  test('CreateDocument errors: reserved prefixes, an existing name, wrong content', async () => {
    for (const Name of ['AWS-Mine', 'aws-mine', 'Amazon-Mine', 'amazonThing', 'amzn.doc', 'AWSSupport-x']) {
      await rejectsWith(send(new CreateDocumentCommand({ Name, Content: JSON_CONTENT })), 'ValidationException', `Invalid document name ${Name}`);
    }
    await rejectsWith(send(new CreateDocumentCommand({ Name: 'bad name!', Content: JSON_CONTENT })), 'ValidationException', /name/);
    await send(new CreateDocumentCommand({ Name: 'twice', Content: JSON_CONTENT }));
    await rejectsWith(send(new CreateDocumentCommand({ Name: 'twice', Content: variant(1) })), 'DocumentAlreadyExists', 'The specified document already exists.');
    await rejectsWith(send(new CreateDocumentCommand({ Name: 'broken', Content: '{ not json' })), 'InvalidDocumentContent');
    await rejectsWith(send(new GetDocumentCommand({ Name: 'broken' })), 'InvalidDocument', 'The specified document does not exist.');
    // Another account does not see it.
    const other = server.clientFor({ account: '222222222222' });
    await rejectsWith(other.send(new DescribeDocumentCommand({ Name: 'twice' })), 'InvalidDocument');
  });

  test('UpdateDocument adds versions; the default moves only by UpdateDocumentDefaultVersion', async () => {
    await send(new CreateDocumentCommand({ Name: 'versions', Content: variant(1), VersionName: 'one' }));
    const second = (await send(new UpdateDocumentCommand({ Name: 'versions', Content: variant(2), DocumentVersion: '$LATEST', VersionName: 'two' }))).DocumentDescription;
    assert.equal(second.DocumentVersion, '2');
    assert.equal(second.LatestVersion, '2');
    assert.equal(second.DefaultVersion, '1');
    assert.equal(second.Hash, sha256(variant(2)));
    const third = (await send(new UpdateDocumentCommand({ Name: 'versions', Content: variant(3), DocumentVersion: '2' }))).DocumentDescription;
    assert.equal(third.DocumentVersion, '3');

    await rejectsWith(send(new UpdateDocumentCommand({ Name: 'versions', Content: variant(4), DocumentVersion: '1' })), 'InvalidDocumentVersion');
    await rejectsWith(send(new UpdateDocumentCommand({ Name: 'versions', Content: variant(1), DocumentVersion: '$LATEST' })), 'DuplicateDocumentContent');
    await rejectsWith(send(new UpdateDocumentCommand({ Name: 'versions', Content: variant(4), DocumentVersion: '$LATEST', VersionName: 'one' })), 'DuplicateDocumentVersionName');
    await rejectsWith(send(new UpdateDocumentCommand({ Name: 'missing', Content: variant(4) })), 'InvalidDocument');
    await rejectsWith(send(new UpdateDocumentCommand({ Name: 'AWS-RunShellScript', Content: variant(4) })), 'InvalidDocumentOperation');

    // Each version by number, $LATEST, $DEFAULT or name.
    const content = async (input: any) => (await send(new GetDocumentCommand({ Name: 'versions', ...input }))).Content;
    assert.equal(await content({}), variant(1));
    assert.equal(await content({ DocumentVersion: '$DEFAULT' }), variant(1));
    assert.equal(await content({ DocumentVersion: '$LATEST' }), variant(3));
    assert.equal(await content({ DocumentVersion: '2' }), variant(2));
    assert.equal(await content({ VersionName: 'two' }), variant(2));
    assert.equal(await content({ DocumentVersion: '2', VersionName: 'two' }), variant(2));
    await rejectsWith(send(new GetDocumentCommand({ Name: 'versions', DocumentVersion: '9' })), 'InvalidDocumentVersion');
    await rejectsWith(send(new GetDocumentCommand({ Name: 'versions', VersionName: 'nine' })), 'InvalidDocumentVersion');
    await rejectsWith(send(new GetDocumentCommand({ Name: 'versions', DocumentVersion: '1', VersionName: 'two' })), 'InvalidDocumentVersion');

    const moved = await send(new UpdateDocumentDefaultVersionCommand({ Name: 'versions', DocumentVersion: '2' }));
    assert.deepEqual(moved.Description, { Name: 'versions', DefaultVersion: '2', DefaultVersionName: 'two' });
    await rejectsWith(send(new UpdateDocumentDefaultVersionCommand({ Name: 'versions', DocumentVersion: '7' })), 'InvalidDocumentVersion');
    const described = (await send(new DescribeDocumentCommand({ Name: 'versions' }))).Document;
    assert.equal(described.DocumentVersion, '2');
    assert.equal(described.DefaultVersion, '2');
    assert.equal(described.LatestVersion, '3');
    assert.equal((await send(new DescribeDocumentCommand({ Name: 'versions', DocumentVersion: '3' }))).Document.DocumentVersion, '3');

    // ListDocumentVersions, one page at a time.
    const first = await send(new ListDocumentVersionsCommand({ Name: 'versions', MaxResults: 2 }));
    assert.deepEqual(first.DocumentVersions.map((v: any) => [v.DocumentVersion, v.VersionName, v.IsDefaultVersion]), [['1', 'one', false], ['2', 'two', true]]);
    assert.equal(first.DocumentVersions[0].DocumentFormat, 'JSON');
    assert.equal(first.DocumentVersions[0].Status, 'Active');
    const rest = await send(new ListDocumentVersionsCommand({ Name: 'versions', MaxResults: 2, NextToken: first.NextToken }));
    assert.deepEqual(rest.DocumentVersions.map((v: any) => v.DocumentVersion), ['3']);
    assert.equal(rest.NextToken, undefined);
    await rejectsWith(send(new ListDocumentVersionsCommand({ Name: 'missing' })), 'InvalidDocument');
    const builtIn = await send(new ListDocumentVersionsCommand({ Name: 'AWS-RunShellScript' }));
    assert.deepEqual(builtIn.DocumentVersions.map((v: any) => [v.DocumentVersion, v.IsDefaultVersion]), [['1', true]]);
  });

  test('DeleteDocument: one version, never the default alone; the whole document; not Amazon\'s', async () => {
    await send(new CreateDocumentCommand({ Name: 'doomed', Content: variant(1) }));
    await send(new UpdateDocumentCommand({ Name: 'doomed', Content: variant(2), DocumentVersion: '$LATEST', VersionName: 'v2' }));
    await send(new UpdateDocumentCommand({ Name: 'doomed', Content: variant(3), DocumentVersion: '$LATEST' }));
    await rejectsWith(send(new DeleteDocumentCommand({ Name: 'doomed', DocumentVersion: '1' })), 'InvalidDocumentOperation', "Default version of the document can't be deleted.");
    await send(new DeleteDocumentCommand({ Name: 'doomed', VersionName: 'v2' }));
    await rejectsWith(send(new GetDocumentCommand({ Name: 'doomed', DocumentVersion: '2' })), 'InvalidDocumentVersion');
    await send(new DeleteDocumentCommand({ Name: 'doomed', DocumentVersion: '3' }));
    assert.equal((await send(new DescribeDocumentCommand({ Name: 'doomed' }))).Document.LatestVersion, '1');
    await send(new DeleteDocumentCommand({ Name: 'doomed' }));
    await rejectsWith(send(new DescribeDocumentCommand({ Name: 'doomed' })), 'InvalidDocument');
    await rejectsWith(send(new DeleteDocumentCommand({ Name: 'doomed' })), 'InvalidDocument');
    await rejectsWith(send(new DeleteDocumentCommand({ Name: 'AWS-RunShellScript' })), 'InvalidDocumentOperation');
    assert.equal((await send(new GetDocumentCommand({ Name: 'AWS-RunShellScript' }))).Name, 'AWS-RunShellScript');
  });

  test('ListDocuments: built-ins and the caller\'s documents; Owner, Name, DocumentType, PlatformTypes, SchemaVersion, tag filters; pages', async () => {
    const client = server.clientFor({ account: '333333333333' });
    const list = async (input: any = {}) => (await client.send(new ListDocumentsCommand(input))).DocumentIdentifiers!.map((d) => d.Name);
    await client.send(new CreateDocumentCommand({ Name: 'mine-a', Content: JSON_CONTENT, Tags: [{ Key: 'env', Value: 'prod' }] }));
    await client.send(new CreateDocumentCommand({ Name: 'mine-b', Content: YAML_CONTENT, DocumentFormat: 'YAML' }));
    // Amazon's catalogue first (whatever it holds; domain/documents.ts), then the account's own.
    const amazon = await list({ Filters: [{ Key: 'Owner', Values: ['Amazon'] }] });
    assert.ok(amazon.includes('AWS-RunShellScript') && amazon.includes('AWS-RunPowerShellScript'));
    // AWS- names, and Session Manager's one SSM- name (SSM-SessionManagerRunShell).
    assert.ok(amazon.every((name) => name!.startsWith('AWS-') || name!.startsWith('SSM-')));
    const everything = [...amazon, 'mine-a', 'mine-b'];
    assert.deepEqual(await list(), everything);
    assert.deepEqual(await list({ Filters: [{ Key: 'Owner', Values: ['Self'] }] }), ['mine-a', 'mine-b']);
    assert.deepEqual(await list({ Filters: [{ Key: 'Owner', Values: ['All'] }, { Key: 'Name', Values: ['mine-'] }] }), ['mine-a', 'mine-b']);
    assert.deepEqual(await list({ Filters: [{ Key: 'SchemaVersion', Values: ['2.2'] }, { Key: 'Owner', Values: ['Self'] }] }), ['mine-a', 'mine-b']);
    assert.equal((await list({ Filters: [{ Key: 'SchemaVersion', Values: ['1.2'] }] })).some((name) => name!.startsWith('mine-')), false);
    const windows = await list({ Filters: [{ Key: 'PlatformTypes', Values: ['Windows'] }] });
    assert.ok(windows.includes('AWS-RunPowerShellScript') && !windows.includes('AWS-RunShellScript') && !windows.some((name) => name!.startsWith('mine-')));
    assert.deepEqual(await list({ Filters: [{ Key: 'DocumentType', Values: ['Command'] }, { Key: 'tag:env', Values: ['prod'] }] }), ['mine-a']);
    assert.deepEqual(await list({ DocumentFilterList: [{ key: 'Owner', value: 'Self' }, { key: 'Name', value: 'mine-b' }] }), ['mine-b']);
    const mine = (await client.send(new ListDocumentsCommand({ Filters: [{ Key: 'Name', Values: ['mine-a'] }] }))).DocumentIdentifiers![0];
    assert.equal(mine.Owner, '333333333333');
    assert.equal(mine.DocumentVersion, '1');
    assert.deepEqual(mine.Tags, [{ Key: 'env', Value: 'prod' }]);

    const pages: string[][] = [];
    let NextToken: string | undefined;
    do {
      const page = await client.send(new ListDocumentsCommand({ MaxResults: 3, NextToken }));
      pages.push(page.DocumentIdentifiers!.map((d) => d.Name!));
      NextToken = page.NextToken;
    } while (NextToken);
    assert.deepEqual(pages, Array.from({ length: Math.ceil(everything.length / 3) }, (_, i) => everything.slice(3 * i, 3 * i + 3)));
    assert.ok(pages.length >= 2, 'more than one page');
  });
});

describe('the aws CLI creates a YAML document from a file', () => {
  let server: TestServer;
  let folder: string;
  before(async () => {
    server = await startTestServer();
    folder = mkdtempSync(join(tmpdir(), 'mw-docs-'));
  });
  after(async () => {
    await server.stop();
    rmSync(folder, { recursive: true, force: true });
  });
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };
  const aws = (...args: string[]) => run('aws', ['ssm', ...args, '--endpoint-url', server.app.endpoint, '--output', 'json'], { env, timeout: 40_000 });

  test('create-document --content file://x.yaml --document-format YAML, then get-document', { skip: !hasAws && 'aws CLI not installed', timeout: 90_000 }, async () => {
    const file = join(folder, 'x.yaml');
    writeFileSync(file, YAML_CONTENT);
    const created = JSON.parse((await aws('create-document', '--name', 'from-cli', '--content', `file://${file}`, '--document-format', 'YAML', '--document-type', 'Command')).stdout);
    assert.equal(created.DocumentDescription.Hash, sha256(YAML_CONTENT));
    assert.equal(created.DocumentDescription.Status, 'Active');
    const got = JSON.parse((await aws('get-document', '--name', 'from-cli')).stdout);
    assert.equal(got.Content, YAML_CONTENT);
    assert.equal(got.DocumentFormat, 'YAML');
  });
});
