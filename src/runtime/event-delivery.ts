// How an event reaches each kind of target. A webhook gets one POST per event, the event as JSON, and
// must answer 2xx. An EventBridge endpoint (AWS itself, or an emulator) gets PutEvents from the real SDK
// client, up to 10 events at once; an entry it refuses fails the delivery, which is then retried whole.

// Loaded on the first PutEvents only: most services never configure EventBridge, and the SDK costs start time.
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { EventTarget, ServiceEvent } from '../domain/events.ts';
import type { Deliver } from './event-bus.ts';

const WEBHOOK_TIMEOUT_MS = 10_000;

async function postToWebhook(url: string, event: ServiceEvent): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'mw-local-events' },
    body: JSON.stringify(event),
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  });
  await response.arrayBuffer().catch(() => undefined);
  if (response.status < 200 || response.status > 299) throw new Error(`the webhook answered HTTP ${response.status}`);
}

/** Credentials and Region come from the usual AWS environment (AWS_ACCESS_KEY_ID, AWS_REGION, ...). */
export function createDeliver(options: { eventBridgeRegion?: string; eventBridgeSource?: string } = {}): { deliver: Deliver; close(): void } {
  const clients = new Map<string, EventBridgeClient>();
  const clientFor = async (target: EventTarget) => {
    const { EventBridgeClient, PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
    let client = clients.get(target.url);
    if (!client) {
      client = new EventBridgeClient({ endpoint: target.url, region: options.eventBridgeRegion ?? process.env.AWS_REGION ?? 'us-east-1', maxAttempts: 1 });
      clients.set(target.url, client);
    }
    return { client, PutEventsCommand };
  };
  const deliver: Deliver = async (target, events) => {
    if (target.kind === 'webhook') {
      for (const event of events) await postToWebhook(target.url, event);
      return;
    }
    const { client, PutEventsCommand } = await clientFor(target);
    const answer = await client.send(new PutEventsCommand({
      Entries: events.map((e) => ({
        // AWS keeps the aws.* sources to its own services: a custom source can be set for real EventBridge.
        Source: options.eventBridgeSource ?? e.source,
        DetailType: e['detail-type'],
        Detail: JSON.stringify(e.detail),
        Resources: e.resources,
        Time: new Date(e.time),
        EventBusName: target.eventBusName ?? 'default',
      })),
    }));
    if (answer.FailedEntryCount) {
      const failed = answer.Entries?.find((entry) => entry.ErrorCode);
      throw new Error(`PutEvents refused ${answer.FailedEntryCount} entries: ${failed?.ErrorCode ?? ''} ${failed?.ErrorMessage ?? ''}`.trim());
    }
  };
  return { deliver, close: () => { for (const c of clients.values()) c.destroy(); } };
}
