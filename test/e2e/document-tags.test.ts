// Tags on the documents an account writes through AddTagsToResource, ListTagsForResource and
// RemoveTagsFromResource with ResourceType Document (ResourceId the document's name), through the real AWS
// SDK: the tagging quota, unknown and Amazon-owned documents, and DescribeDocument / ListDocuments showing
// and filtering the tags so set.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AddTagsToResourceCommand,
  CreateDocumentCommand,
  DescribeDocumentCommand,
  ListDocumentsCommand,
  ListTagsForResourceCommand,
  RemoveTagsFromResourceCommand,
} from '@aws-sdk/client-ssm';
import { rejectsWith } from '../support/errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const CONTENT = JSON.stringify({
  schemaVersion: '2.2',
  description: 'tagged',
  mainSteps: [{ action: 'aws:runShellScript', name: 'hello', inputs: { runCommand: ['echo hi'] } }],
});
const INVALID_ID = 'The resource ID is not valid. Verify that you entered the correct ID and try again.';
const MAX_TAGS = 4;

describe('tags on user documents (ResourceType Document)', () => {
  let server: TestServer;
  const send = (command: any): Promise<any> => server.client.send(command);
  const create = (name: string, extra: object = {}) => send(new CreateDocumentCommand({ Name: name, Content: CONTENT, ...extra }));
  const tagsOf = async (name: string) => (await send(new ListTagsForResourceCommand({ ResourceType: 'Document', ResourceId: name }))).TagList;
  const names = async (filters: { Key: string; Values: string[] }[]) =>
    ((await send(new ListDocumentsCommand({ Filters: [...filters, { Key: 'Owner', Values: ['Self'] }] }))).DocumentIdentifiers as { Name: string }[]).map((d) => d.Name).sort();

  before(async () => {
    server = await startTestServer({ quotas: { windowsPerRegion: 50, targetsPerWindow: 30, tasksPerWindow: 5, tagsPerResource: MAX_TAGS, documentsPerRegion: 500 } });
  });
  after(() => server.stop());

  test('add, list, overwrite and remove; DescribeDocument shows the tags', async () => {
    await create('tag-doc-a', { Tags: [{ Key: 'team', Value: 'ops' }] });
    assert.deepEqual(await tagsOf('tag-doc-a'), [{ Key: 'team', Value: 'ops' }]);

    await send(new AddTagsToResourceCommand({ ResourceType: 'Document', ResourceId: 'tag-doc-a', Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'sre' }] }));
    assert.deepEqual(await tagsOf('tag-doc-a'), [{ Key: 'team', Value: 'sre' }, { Key: 'env', Value: 'prod' }]);
    const described = (await send(new DescribeDocumentCommand({ Name: 'tag-doc-a' }))).Document;
    assert.deepEqual(described.Tags, [{ Key: 'team', Value: 'sre' }, { Key: 'env', Value: 'prod' }]);

    await send(new RemoveTagsFromResourceCommand({ ResourceType: 'Document', ResourceId: 'tag-doc-a', TagKeys: ['team', 'absent'] }));
    assert.deepEqual(await tagsOf('tag-doc-a'), [{ Key: 'env', Value: 'prod' }]);
    assert.deepEqual((await send(new DescribeDocumentCommand({ Name: 'tag-doc-a' }))).Document.Tags, [{ Key: 'env', Value: 'prod' }]);
  });

  test('the quota counts the tags the document already has; a refused add changes nothing', async () => {
    await create('tag-doc-quota', { Tags: [{ Key: 'k1', Value: '1' }, { Key: 'k2', Value: '2' }, { Key: 'k3', Value: '3' }] });
    await rejectsWith(
      send(new AddTagsToResourceCommand({ ResourceType: 'Document', ResourceId: 'tag-doc-quota', Tags: [{ Key: 'k4', Value: '4' }, { Key: 'k5', Value: '5' }] })),
      'TooManyTagsError', `The resource can have at most ${MAX_TAGS} tags.`,
    );
    assert.equal((await tagsOf('tag-doc-quota')).length, 3);
    // Overwriting a key does not count twice: exactly the quota is accepted.
    await send(new AddTagsToResourceCommand({ ResourceType: 'Document', ResourceId: 'tag-doc-quota', Tags: [{ Key: 'k1', Value: 'one' }, { Key: 'k4', Value: '4' }] }));
    assert.equal((await tagsOf('tag-doc-quota')).length, MAX_TAGS);
  });

  test('an unknown document and an Amazon document: InvalidResourceId on all three operations', async () => {
    for (const name of ['no-such-document', 'AWS-RunShellScript']) {
      await rejectsWith(send(new AddTagsToResourceCommand({ ResourceType: 'Document', ResourceId: name, Tags: [{ Key: 'a', Value: 'b' }] })), 'InvalidResourceId', INVALID_ID);
      await rejectsWith(send(new ListTagsForResourceCommand({ ResourceType: 'Document', ResourceId: name })), 'InvalidResourceId', INVALID_ID);
      await rejectsWith(send(new RemoveTagsFromResourceCommand({ ResourceType: 'Document', ResourceId: name, TagKeys: ['a'] })), 'InvalidResourceId', INVALID_ID);
    }
    // Another account's document of the same name is not the caller's.
    const other = server.clientFor({ account: '222233334444' });
    await rejectsWith(other.send(new ListTagsForResourceCommand({ ResourceType: 'Document', ResourceId: 'tag-doc-a' })), 'InvalidResourceId', INVALID_ID);
    // The built-in document shows no tags afterwards.
    assert.deepEqual((await send(new DescribeDocumentCommand({ Name: 'AWS-RunShellScript' }))).Document.Tags, []);
  });

  test('ListDocuments: tag:KEY and TagKeys see tags added and removed through the tagging operations', async () => {
    await create('tag-doc-f1');
    await create('tag-doc-f2', { Tags: [{ Key: 'tier', Value: 'gold' }] });
    assert.deepEqual(await names([{ Key: 'tag:tier', Values: ['gold', 'silver'] }]), ['tag-doc-f2']);

    await send(new AddTagsToResourceCommand({ ResourceType: 'Document', ResourceId: 'tag-doc-f1', Tags: [{ Key: 'tier', Value: 'silver' }, { Key: 'owner', Value: '' }] }));
    assert.deepEqual(await names([{ Key: 'tag:tier', Values: ['gold', 'silver'] }]), ['tag-doc-f1', 'tag-doc-f2']);
    assert.deepEqual(await names([{ Key: 'tag:tier', Values: ['silver'] }]), ['tag-doc-f1']);
    assert.deepEqual(await names([{ Key: 'TagKeys', Values: ['owner'] }]), ['tag-doc-f1']);
    const listed = (await send(new ListDocumentsCommand({ Filters: [{ Key: 'TagKeys', Values: ['owner'] }] }))).DocumentIdentifiers;
    assert.deepEqual(listed.map((d: any) => d.Tags), [[{ Key: 'tier', Value: 'silver' }, { Key: 'owner', Value: '' }]]);

    await send(new RemoveTagsFromResourceCommand({ ResourceType: 'Document', ResourceId: 'tag-doc-f1', TagKeys: ['tier', 'owner'] }));
    assert.deepEqual(await names([{ Key: 'tag:tier', Values: ['gold', 'silver'] }]), ['tag-doc-f2']);
    assert.deepEqual(await names([{ Key: 'TagKeys', Values: ['owner', 'tier'] }]), ['tag-doc-f2']);
  });
});
