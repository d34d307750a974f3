// After a mutating call succeeds, read back what it stored: the reads must fit the output shapes too (a
// null or an unknown nested member stored as a value shows up here, not in the call's own answer), and an
// Update must leave alone every member it was not given a value for (JSON null means "absent" on AWS).

import { isDeepStrictEqual } from 'node:util';
import { shapes, type OperationName } from '../../src/wire/generated/shapes.ts';
import type { ApiCase } from './api-requests.ts';
import { checkApi } from './oracle.ts';
import type { ScopePool } from './pools.ts';
import { callApi } from './state.ts';

type Check = (kind: string, detail: string) => void;

const IDS = new Set(['WindowId', 'WindowTargetId', 'WindowTaskId', 'Replace']);

/** The stored item an Update changes, read before and after it (undefined for other operations). */
async function readItem(port: number, c: ApiCase): Promise<Record<string, unknown> | undefined> {
  const i = c.input!;
  switch (c.operation) {
    case 'UpdateMaintenanceWindow':
      return (await callApi(port, c.scope, 'GetMaintenanceWindow', { WindowId: i.WindowId })).json;
    case 'UpdateMaintenanceWindowTask':
      return (await callApi(port, c.scope, 'GetMaintenanceWindowTask', { WindowId: i.WindowId, WindowTaskId: i.WindowTaskId })).json;
    case 'UpdateMaintenanceWindowTarget': {
      const listed = (await callApi(port, c.scope, 'DescribeMaintenanceWindowTargets', { WindowId: i.WindowId, MaxResults: 100 })).json;
      return listed?.Targets?.find((t: { WindowTargetId?: string }) => t.WindowTargetId === i.WindowTargetId);
    }
    default:
      return undefined;
  }
}

/** Read before an Update whose body is plain JSON of its input; undefined when there is nothing to compare. */
export async function before(port: number, c: ApiCase): Promise<Record<string, unknown> | undefined> {
  if (!c.input || !c.operation.startsWith('Update') || c.input.Replace === true) return undefined;
  const item = await readItem(port, c);
  return item && !('__type' in item) ? item : undefined;
}

export async function after(port: number, c: ApiCase, answer: Record<string, unknown>, prior: Record<string, unknown> | undefined, pool: ScopePool, check: Check): Promise<number> {
  let sent = 0;
  const read = async (operation: OperationName, input: Record<string, unknown>) => {
    sent++;
    const got = await callApi(port, c.scope, operation, input);
    const body = checkApi(operation, 'any', got, (kind, detail) => check(`stored: ${kind}`, `${operation} ${JSON.stringify(input)}: ${detail}`));
    if (body) pool.harvest(body, input, operation);
    return body as Record<string, unknown> | undefined;
  };
  const windowId = (c.input?.WindowId ?? answer.WindowId ?? c.input?.ResourceId) as string | undefined;
  if (typeof windowId !== 'string' || !/^mw-[0-9a-f]{17}$/.test(windowId)) return sent;
  await read('GetMaintenanceWindow', { WindowId: windowId });
  await read('DescribeMaintenanceWindowTargets', { WindowId: windowId });
  await read('DescribeMaintenanceWindowTasks', { WindowId: windowId });
  await read('ListTagsForResource', { ResourceType: 'MaintenanceWindow', ResourceId: windowId });
  const taskId = (c.input?.WindowTaskId ?? answer.WindowTaskId) as string | undefined;
  if (typeof taskId === 'string') await read('GetMaintenanceWindowTask', { WindowId: windowId, WindowTaskId: taskId });

  if (prior) {
    sent++;
    const now = await readItem(port, c);
    if (!now) return sent;
    const input = c.input!;
    const members = Object.keys(shapes[(c.operation + 'Request') as keyof typeof shapes].members ?? {}).filter((m) => !IDS.has(m));
    for (const m of members) {
      if (input[m] !== undefined && input[m] !== null) continue;
      if (!isDeepStrictEqual(prior[m], now[m])) {
        check(input[m] === null ? 'a member sent as null changed the stored value' : 'a member not sent changed the stored value', `${m}: ${JSON.stringify(prior[m])} became ${JSON.stringify(now[m])}`);
      }
    }
  }
  return sent;
}
