// Every AWS operation this service answers, keyed by its exact AWS name. The compiler checks each handler
// against the model's input and output shapes.

import type { ActivationService } from '../service/activations.ts';
import type { AutomationService } from '../service/automations.ts';
import type { CommandService } from '../service/commands.ts';
import type { DocumentService } from '../service/documents.ts';
import type { HistoryService } from '../service/history.ts';
import type { InstanceService } from '../service/instances.ts';
import type { Clock, EngineControl } from '../service/ports.ts';
import type { ScheduleService } from '../service/schedule.ts';
import type { SessionService } from '../service/sessions.ts';
import type { TagService } from '../service/tags.ts';
import type { TargetService } from '../service/targets.ts';
import type { TaskService } from '../service/tasks.ts';
import type { WindowService } from '../service/windows.ts';
import type { Handlers } from '../wire/api.ts';
import { activationHandlers } from './activations.ts';
import { automationHandlers } from './automations.ts';
import { cancelHandlers } from './cancel.ts';
import { commandHandlers } from './commands.ts';
import { documentHandlers } from './documents.ts';
import { historyHandlers } from './executions.ts';
import { scheduleHandlers } from './schedule.ts';
import { sessionHandlers } from './sessions.ts';
import { instanceHandlers } from './instances.ts';
import { tagHandlers } from './tags.ts';
import { targetHandlers } from './targets.ts';
import { taskHandlers } from './tasks.ts';
import { windowHandlers } from './windows.ts';

export interface Services {
  windows: WindowService;
  targets: TargetService;
  tasks: TaskService;
  schedule: ScheduleService;
  tags: TagService;
  instances: InstanceService;
  history: HistoryService;
  commands: CommandService;
  documents: DocumentService;
  activations: ActivationService;
  automations: AutomationService;
  sessions: SessionService;
  engine: EngineControl;
  clock: Clock;
}

export function createHandlers(services: Services): Handlers {
  return {
    ...windowHandlers(services.windows, services.clock),
    ...targetHandlers(services.targets),
    ...taskHandlers(services.tasks),
    ...scheduleHandlers(services.schedule),
    ...tagHandlers(services.tags),
    ...instanceHandlers(services.instances),
    ...historyHandlers(services.history),
    ...cancelHandlers(services.engine),
    ...commandHandlers(services.commands),
    ...documentHandlers(services.documents),
    ...activationHandlers(services.activations, () => services.clock.now()),
    ...automationHandlers(services.automations),
    ...sessionHandlers(services.sessions),
  } satisfies Handlers;
}
