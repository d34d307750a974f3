// Events are kept compactly in the events table (storage/event-rows.ts): what is read back must be the
// very envelope that was recorded, member order included (it is what targets receive as JSON), and rows
// written before the compact form must still be read.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DETAIL_TYPES, envelope, invocationEvent } from '../../src/domain/events.ts';
import { eventDocument, eventFromDocument } from '../../src/storage/event-rows.ts';

const scope = { account: '123456789012', region: 'eu-west-1' };

test('every detail-type reads back as the same envelope, byte for byte as JSON, and smaller than the envelope', () => {
  for (const [i, type] of DETAIL_TYPES.entries()) {
    const event = envelope(scope, type, Date.UTC(2026, 11, 8, 1, 2, 3), [`arn:aws:ssm:eu-west-1:123456789012:maintenancewindow/mw-0${i}`], { status: 'SUCCESS', 'window-id': `mw-0${i}` }, ['x', String(i)]);
    const doc = eventDocument(event);
    assert.equal(JSON.stringify(eventFromDocument(doc, scope.account, scope.region)), JSON.stringify(event));
    assert.ok(doc.length < JSON.stringify(event).length - 100, `${type}: ${doc.length} bytes`);
  }
  const recorded = invocationEvent(scope, {
    windowId: 'mw-0123456789abcdef0', windowExecutionId: 'e', taskExecutionId: 't', id: 'i', taskType: 'AUTOMATION', status: 'IN_PROGRESS', startTime: 0,
  }, 0)!;
  assert.deepEqual(eventFromDocument(eventDocument(recorded.event), scope.account, scope.region), recorded.event);
});

test('a row holding the whole envelope (written before the compact form) is read as it is', () => {
  const event = envelope(scope, DETAIL_TYPES[0], 0, [], { status: 'SUCCESS' }, ['old']);
  assert.deepEqual(eventFromDocument(JSON.stringify(event), null, null), event);
});
