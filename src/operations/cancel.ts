// CancelMaintenanceWindowExecution: hands the request to the engine.

import type { EngineControl } from '../service/ports.ts';
import type { Handler } from '../wire/api.ts';

export function cancelHandlers(engine: EngineControl) {
  const CancelMaintenanceWindowExecution: Handler<'CancelMaintenanceWindowExecution'> = async (input, { scope }) => {
    await engine.cancel(scope, input.WindowExecutionId);
    return { WindowExecutionId: input.WindowExecutionId };
  };
  return { CancelMaintenanceWindowExecution };
}
