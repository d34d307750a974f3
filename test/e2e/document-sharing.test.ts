// Sharing documents between the accounts this service holds, through the real AWS SDK:
// ModifyDocumentPermission and DescribeDocumentPermission (privately, publicly, the version shared, their
// errors), what the other account then lists (Owner Private / Public / All / Self) and reads by ARN, what it
// may not do, DeleteDocument refused while shared; and the documents-per-account quota (--max-documents).

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  CreateDocumentCommand,
  DeleteDocumentCommand,
  DescribeDocumentCommand,
  DescribeDocumentPermissionCommand,
  GetDocumentCommand,
  ListDocumentsCommand,
  ListDocumentVersionsCommand,
  ModifyDocumentPermissionCommand,
  type SSMClient,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
} from '@aws-sdk/client-ssm';
import { rejectsWith } from '../support/errors.ts';
import { type ServiceProcess, startServiceProcess } from '../support/process.ts';
import { sdkClient, startTestServer, tempDataDir, type TestServer } from '../support/server.ts';

const OWNER = '111122223333';
const READER = '444455556666';
const STRANGER = '777788889999';
const REGION = 'us-east-1';

const content = (n: number) => JSON.stringify({
  schemaVersion: '2.2',
  description: `version ${n}`,
  mainSteps: [{ action: 'aws:runShellScript', name: 'hello', inputs: { runCommand: [`echo ${n}`] } }],
});
const arn = (name: string, account = OWNER, region = REGION) => `arn:aws:ssm:${region}:${account}:document/${name}`;

describe('document sharing between accounts', () => {
  let server: TestServer;
  let owner: SSMClient;
  let reader: SSMClient;
  let stranger: SSMClient;
  before(async () => {
    server = await startTestServer();
    owner = server.clientFor({ account: OWNER });
    reader = server.clientFor({ account: READER });
    stranger = server.clientFor({ account: STRANGER });
  });
  after(() => server.stop());
  const as = (client: SSMClient) => (command: any): Promise<any> => client.send(command);

  /** A document of the owner with versions 1..n, the default left at 1. */
  async function documentWithVersions(name: string, n: number): Promise<void> {
    await as(owner)(new CreateDocumentCommand({ Name: name, Content: content(1), DocumentType: 'Command' }));
    for (let v = 2; v <= n; v++) await as(owner)(new UpdateDocumentCommand({ Name: name, Content: content(v), DocumentVersion: '$LATEST' }));
  }
  const listed = async (client: SSMClient, ownerFilter?: string): Promise<any[]> => {
    const out = await as(client)(new ListDocumentsCommand({ Filters: ownerFilter ? [{ Key: 'Owner', Values: [ownerFilter] }] : undefined, MaxResults: 50 }));
    const all = [...out.DocumentIdentifiers];
    let token = out.NextToken;
    while (token) {
      const next = await as(client)(new ListDocumentsCommand({ Filters: ownerFilter ? [{ Key: 'Owner', Values: [ownerFilter] }] : undefined, NextToken: token }));
      all.push(...next.DocumentIdentifiers);
      token = next.NextToken;
    }
    return all;
  };
  const permissions = (client: SSMClient, name: string) => as(client)(new DescribeDocumentPermissionCommand({ Name: name, PermissionType: 'Share' }));

  test('shared privately: the reader lists it with Owner Private and All (by ARN), reads the default version by ARN, nothing else', async () => {
    await documentWithVersions('team-runbook', 2);
    assert.deepEqual(await permissions(owner, 'team-runbook').then((p) => [p.AccountIds, p.AccountSharingInfoList]), [[], []], 'not shared yet');
    await as(owner)(new ModifyDocumentPermissionCommand({ Name: 'team-runbook', PermissionType: 'Share', AccountIdsToAdd: [READER] }));
    const described = await permissions(owner, 'team-runbook');
    assert.deepEqual(described.AccountIds, [READER]);
    assert.deepEqual(described.AccountSharingInfoList, [{ AccountId: READER, SharedDocumentVersion: '$DEFAULT' }], 'the default version when none is named');

    const privateOnes = await listed(reader, 'Private');
    assert.deepEqual(privateOnes.map((d) => [d.Name, d.Owner, d.DocumentVersion]), [[arn('team-runbook'), OWNER, '1']]);
    assert.deepEqual(privateOnes[0].Tags, [], 'the owner\'s tags stay the owner\'s');
    assert.ok((await listed(reader, 'All')).some((d) => d.Name === arn('team-runbook')));
    assert.ok((await listed(reader)).some((d) => d.Name === arn('team-runbook')), 'no filter lists what the reader may use');
    assert.equal((await listed(reader, 'Self')).length, 0);
    assert.equal((await listed(reader, 'Public')).some((d) => d.Owner === OWNER), false);
    assert.equal((await listed(stranger, 'Private')).length, 0, 'not shared with the stranger');
    const byName = await as(reader)(new ListDocumentsCommand({ Filters: [{ Key: 'Owner', Values: ['Private'] }, { Key: 'Name', Values: ['team-'] }] }));
    assert.equal(byName.DocumentIdentifiers.length, 1, 'the Name filter matches the document\'s own name');

    const { Document } = await as(reader)(new DescribeDocumentCommand({ Name: arn('team-runbook') }));
    assert.equal(Document.Name, arn('team-runbook'));
    assert.equal(Document.Owner, OWNER);
    assert.equal(Document.DocumentVersion, '1');
    const got = await as(reader)(new GetDocumentCommand({ Name: arn('team-runbook') }));
    assert.equal(got.Content, content(1));
    await rejectsWith(as(reader)(new GetDocumentCommand({ Name: arn('team-runbook'), DocumentVersion: '2' })), 'InvalidDocumentVersion');
    const versions = await as(reader)(new ListDocumentVersionsCommand({ Name: arn('team-runbook') }));
    assert.deepEqual(versions.DocumentVersions.map((v: any) => v.DocumentVersion), ['1'], 'only the version shared');

    await rejectsWith(as(reader)(new DescribeDocumentCommand({ Name: 'team-runbook' })), 'InvalidDocument', 'The specified document does not exist.');
    await rejectsWith(as(stranger)(new DescribeDocumentCommand({ Name: arn('team-runbook') })), 'InvalidDocument', 'The specified document does not exist.');
    await rejectsWith(as(reader)(new DescribeDocumentCommand({ Name: arn('team-runbook', OWNER, 'eu-west-1') })), 'InvalidDocument');
    assert.equal((await as(owner)(new DescribeDocumentCommand({ Name: arn('team-runbook') }))).Document.Name, 'team-runbook', 'the owner may use its own ARN');

    // The owner moves its default: the reader follows it ($DEFAULT).
    await as(owner)(new UpdateDocumentDefaultVersionCommand({ Name: 'team-runbook', DocumentVersion: '2' }));
    assert.equal((await as(reader)(new GetDocumentCommand({ Name: arn('team-runbook') }))).Content, content(2));
  });

  test('the reader may not change, delete or share it; the owner may not delete it while it is shared', async () => {
    await rejectsWith(as(reader)(new UpdateDocumentCommand({ Name: arn('team-runbook'), Content: content(9) })), 'ValidationException', /at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    await rejectsWith(as(reader)(new UpdateDocumentCommand({ Name: 'team-runbook', Content: content(9) })), 'InvalidDocument');
    await rejectsWith(as(reader)(new DeleteDocumentCommand({ Name: 'team-runbook' })), 'InvalidDocument');
    await rejectsWith(as(reader)(new ModifyDocumentPermissionCommand({ Name: 'team-runbook', PermissionType: 'Share', AccountIdsToAdd: [STRANGER] })), 'InvalidDocument');
    await rejectsWith(as(reader)(new DescribeDocumentPermissionCommand({ Name: 'team-runbook', PermissionType: 'Share' })), 'InvalidDocument');
    await rejectsWith(as(owner)(new DeleteDocumentCommand({ Name: 'team-runbook' })), 'InvalidDocumentOperation',
      'You attempted to delete a document while it is still shared. You must stop sharing the document before you can delete it.');
    assert.equal((await as(owner)(new DescribeDocumentCommand({ Name: 'team-runbook' }))).Document.Name, 'team-runbook', 'still there');
  });

  test('SharedDocumentVersion: $LATEST and $ALL change what the reader sees; the order of accounts is kept', async () => {
    await documentWithVersions('versions-doc', 3);
    await as(owner)(new ModifyDocumentPermissionCommand({ Name: 'versions-doc', PermissionType: 'Share', AccountIdsToAdd: [READER, STRANGER], SharedDocumentVersion: '$LATEST' }));
    assert.equal((await as(reader)(new DescribeDocumentCommand({ Name: arn('versions-doc') }))).Document.DocumentVersion, '3');
    await rejectsWith(as(reader)(new GetDocumentCommand({ Name: arn('versions-doc'), DocumentVersion: '1' })), 'InvalidDocumentVersion');
    await as(owner)(new ModifyDocumentPermissionCommand({ Name: 'versions-doc', PermissionType: 'Share', AccountIdsToAdd: [READER], SharedDocumentVersion: '$ALL' }));
    assert.deepEqual((await permissions(owner, 'versions-doc')).AccountSharingInfoList, [
      { AccountId: READER, SharedDocumentVersion: '$ALL' },
      { AccountId: STRANGER, SharedDocumentVersion: '$LATEST' },
    ]);
    const versions = await as(reader)(new ListDocumentVersionsCommand({ Name: arn('versions-doc') }));
    assert.deepEqual(versions.DocumentVersions.map((v: any) => [v.Name, v.DocumentVersion]), [1, 2, 3].map((n) => [arn('versions-doc'), String(n)]));
    assert.equal((await as(reader)(new GetDocumentCommand({ Name: arn('versions-doc'), DocumentVersion: '2' }))).Content, content(2));
    assert.equal((await as(reader)(new DescribeDocumentCommand({ Name: arn('versions-doc') }))).Document.DocumentVersion, '1', 'the owner\'s default when none is named');

    const page = await as(owner)(new DescribeDocumentPermissionCommand({ Name: 'versions-doc', PermissionType: 'Share', MaxResults: 1 }));
    assert.deepEqual(page.AccountIds, [READER]);
    const rest = await as(owner)(new DescribeDocumentPermissionCommand({ Name: 'versions-doc', PermissionType: 'Share', NextToken: page.NextToken }));
    assert.deepEqual([rest.AccountIds, rest.NextToken], [[STRANGER], undefined]);
    await rejectsWith(as(owner)(new DescribeDocumentPermissionCommand({ Name: 'versions-doc', PermissionType: 'Share', NextToken: 'nonsense' })), 'InvalidNextToken');
  });

  test('shared publicly (All, as all): every account reads it, Owner Public lists it with Amazon\'s; public and private never both', async () => {
    await documentWithVersions('public-doc', 2);
    await as(owner)(new ModifyDocumentPermissionCommand({ Name: 'public-doc', PermissionType: 'Share', AccountIdsToAdd: ['All'] }));
    assert.deepEqual((await permissions(owner, 'public-doc')).AccountSharingInfoList, [{ AccountId: 'all', SharedDocumentVersion: '$DEFAULT' }]);
    const publicOnes = await listed(stranger, 'Public');
    assert.ok(publicOnes.some((d) => d.Name === arn('public-doc') && d.Owner === OWNER));
    assert.ok(publicOnes.some((d) => d.Name === 'AWS-RunShellScript' && d.Owner === 'Amazon'));
    assert.equal((await listed(stranger, 'Private')).some((d) => d.Name === arn('public-doc')), false);
    assert.equal((await listed(owner, 'Public')).some((d) => d.Owner === OWNER), false, 'the owner lists it as its own');
    // A public share shows every version.
    assert.equal((await as(stranger)(new GetDocumentCommand({ Name: arn('public-doc'), DocumentVersion: '2' }))).Content, content(2));

    await rejectsWith(as(owner)(new ModifyDocumentPermissionCommand({ Name: 'public-doc', PermissionType: 'Share', AccountIdsToAdd: ['all', READER] })), 'DocumentPermissionLimit',
      'Accounts can either be all or a group of AWS accounts');
    // Sharing with an account makes it private again: the stranger loses it, the reader keeps it.
    await as(owner)(new ModifyDocumentPermissionCommand({ Name: 'public-doc', PermissionType: 'Share', AccountIdsToAdd: [READER] }));
    assert.deepEqual((await permissions(owner, 'public-doc')).AccountIds, [READER]);
    await rejectsWith(as(stranger)(new DescribeDocumentCommand({ Name: arn('public-doc') })), 'InvalidDocument');
    await as(reader)(new DescribeDocumentCommand({ Name: arn('public-doc') }));
    // And public again: the accounts give way to all.
    await as(owner)(new ModifyDocumentPermissionCommand({ Name: 'public-doc', PermissionType: 'Share', AccountIdsToAdd: ['all'] }));
    assert.deepEqual((await permissions(owner, 'public-doc')).AccountIds, ['all']);
    await as(owner)(new ModifyDocumentPermissionCommand({ Name: 'public-doc', PermissionType: 'Share', AccountIdsToRemove: ['ALL'] }));
    assert.deepEqual((await permissions(owner, 'public-doc')).AccountIds, []);
    await as(owner)(new DeleteDocumentCommand({ Name: 'public-doc' }));
  });

  test('removing the share hides the document again, and the owner may then delete it', async () => {
    // A removal wins over an add of the same account in one call.
    await as(owner)(new ModifyDocumentPermissionCommand({ Name: 'team-runbook', PermissionType: 'Share', AccountIdsToAdd: [STRANGER], AccountIdsToRemove: [READER, STRANGER] }));
    assert.deepEqual((await permissions(owner, 'team-runbook')).AccountIds, []);
    await rejectsWith(as(reader)(new DescribeDocumentCommand({ Name: arn('team-runbook') })), 'InvalidDocument');
    await rejectsWith(as(reader)(new GetDocumentCommand({ Name: arn('team-runbook') })), 'InvalidDocument');
    assert.equal((await listed(reader, 'Private')).some((d) => d.Name === arn('team-runbook')), false);
    await as(owner)(new DeleteDocumentCommand({ Name: 'team-runbook' }));
    await rejectsWith(permissions(owner, 'team-runbook'), 'InvalidDocument');
  });

  test('requests AWS refuses: the model\'s constraints, Amazon\'s documents, unknown ones, nothing to change, too many public documents', async () => {
    const modify = (input: any) => as(owner)(new ModifyDocumentPermissionCommand({ Name: 'versions-doc', PermissionType: 'Share', ...input }));
    await rejectsWith(modify({ AccountIdsToAdd: ['12345'] }), 'ValidationException', /Value '\[12345\]' at 'accountIdsToAdd' failed to satisfy constraint/);
    await rejectsWith(modify({ AccountIdsToAdd: [READER], SharedDocumentVersion: '2' }), 'ValidationException', /at 'sharedDocumentVersion' failed to satisfy constraint/);
    await rejectsWith(modify({ PermissionType: 'Read', AccountIdsToAdd: [READER] }), 'ValidationException', /Member must satisfy enum value set: \[Share\]/);
    await rejectsWith(modify({ AccountIdsToAdd: Array.from({ length: 21 }, (_, i) => String(100000000000 + i)) }), 'ValidationException', /Member must have length less than or equal to 20/);
    await rejectsWith(modify({}), 'ValidationException', 'You must specify AccountIdsToAdd or AccountIdsToRemove.');
    await rejectsWith(modify({ Name: 'AWS-RunShellScript', AccountIdsToAdd: [READER] }), 'InvalidDocument');
    await rejectsWith(modify({ Name: 'no-such-doc', AccountIdsToAdd: [READER] }), 'InvalidDocument', 'The specified document does not exist.');
    await rejectsWith(permissions(owner, 'AWS-RunShellScript'), 'InvalidDocument');

    for (let i = 0; i < 5; i++) {
      await as(owner)(new CreateDocumentCommand({ Name: `public-${i}`, Content: content(i), DocumentType: 'Command' }));
      await as(owner)(new ModifyDocumentPermissionCommand({ Name: `public-${i}`, PermissionType: 'Share', AccountIdsToAdd: ['all'] }));
    }
    await rejectsWith(modify({ AccountIdsToAdd: ['all'] }), 'DocumentPermissionLimit', 'You can publicly share a maximum of 5 SSM documents.');
    await modify({ AccountIdsToAdd: [READER] });
    assert.ok((await permissions(owner, 'versions-doc')).AccountIds.includes(READER), 'private sharing is not limited by the public quota');
  });
});

describe('documents per account and Region (--max-documents)', () => {
  let service: ServiceProcess;
  let dataDir: string;
  before(async () => {
    dataDir = tempDataDir();
    service = await startServiceProcess(['--data-dir', dataDir, '--max-documents', '2', '--quiet']);
  });
  after(async () => {
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('past the quota CreateDocument answers DocumentLimitExceeded; another account and a deleted document make room', async () => {
    const clients = [OWNER, READER].map((account) => sdkClient(service.endpoint, { account }));
    const [owner, other] = clients;
    const create = (client: SSMClient, name: string) => client.send(new CreateDocumentCommand({ Name: name, Content: content(1), DocumentType: 'Command' }));
    try {
      await create(owner, 'first');
      await create(owner, 'second');
      await rejectsWith(create(owner, 'third'), 'DocumentLimitExceeded', 'You can have at most 2 documents.');
      await create(other, 'third');
      await owner.send(new DeleteDocumentCommand({ Name: 'first' }));
      await create(owner, 'third');
    } finally {
      for (const client of clients) client.destroy();
    }
  });
});
