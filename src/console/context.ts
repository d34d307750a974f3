// What a console page is given: the use cases it reads through (never the store), the caller's scope,
// the query, and how to build links that keep the account and Region.

import type { Scope } from '../domain/model.ts';
import type { AutomationService } from '../service/automations.ts';
import type { CommandService } from '../service/commands.ts';
import type { ControlService } from '../service/control.ts';
import type { DocumentService } from '../service/documents.ts';
import type { HistoryService } from '../service/history.ts';
import type { ScheduleService } from '../service/schedule.ts';
import type { SessionTranscriptService } from '../service/session-transcripts.ts';
import type { SessionService } from '../service/sessions.ts';
import type { TagService } from '../service/tags.ts';
import type { TargetService } from '../service/targets.ts';
import type { TaskService } from '../service/tasks.ts';
import type { WindowService } from '../service/windows.ts';

export interface ConsoleServices {
  windows: WindowService;
  targets: TargetService;
  tasks: TaskService;
  tags: TagService;
  schedule: ScheduleService;
  history: HistoryService;
  commands: CommandService;
  documents: DocumentService;
  automations: AutomationService;
  sessions: SessionService;
  /** One session's record and its transcript (--session-transcripts). */
  transcripts: SessionTranscriptService;
  control: ControlService;
  /** How long a registered node stays Online without word from its agent (for PingStatus). */
  pingTimeoutMs: number;
}

export interface PageContext {
  scope: Scope;
  services: ConsoleServices;
  query: URLSearchParams;
  now: number;
  /** A console link with this page's account and Region (and any extra query parameters). */
  href: (path: string, extra?: Record<string, string | undefined>) => string;
}

/** Path segments are ids from the service; still encoded so a link can never break out of its path. */
export function seg(value: string): string {
  return encodeURIComponent(value);
}
