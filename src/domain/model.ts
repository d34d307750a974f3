// The entities of the control plane, in our own names. Nested task documents (invocation parameters,
// logging, alarms) keep AWS's structure: they are opaque to the control plane and copied verbatim.

export interface Scope {
  account: string;
  region: string;
}

export interface TargetSpec {
  key: string;
  values: string[];
}

export type ResourceType = 'INSTANCE' | 'RESOURCE_GROUP';
export type TaskType = 'RUN_COMMAND' | 'AUTOMATION' | 'STEP_FUNCTIONS' | 'LAMBDA';
export type CutoffBehavior = 'CONTINUE_TASK' | 'CANCEL_TASK';

export interface Window {
  id: string;
  name: string;
  description?: string;
  schedule: string;
  timeZone?: string;
  offsetDays?: number;
  startDate?: string;
  endDate?: string;
  durationHours: number;
  cutoffHours: number;
  allowUnassociatedTargets: boolean;
  enabled: boolean;
  createdAt: number;
  modifiedAt: number;
  /** Epoch ms the rate() schedule counts from; set whenever the schedule or StartDate changes. */
  rateAnchorMs: number;
  /** Epoch ms the current schedule took effect: cron occurrences before it produce no (offset) runs. */
  scheduleFromMs: number;
}

export interface WindowTarget {
  windowId: string;
  id: string;
  resourceType: ResourceType;
  targets: TargetSpec[];
  ownerInformation?: string;
  name?: string;
  description?: string;
}

export interface ParameterValues {
  Values?: string[];
}

export interface LoggingInfo {
  S3BucketName: string;
  S3KeyPrefix?: string;
  S3Region: string;
}

export interface AlarmConfiguration {
  IgnorePollAlarmFailure?: boolean;
  Alarms: { Name: string }[];
}

/** AWS's MaintenanceWindowTaskInvocationParameters document, kept as sent (Lambda Payload stays base64). */
export type InvocationParameters = {
  RunCommand?: Record<string, unknown>;
  Automation?: Record<string, unknown>;
  StepFunctions?: Record<string, unknown>;
  Lambda?: Record<string, unknown>;
};

export interface WindowTask {
  windowId: string;
  id: string;
  taskArn: string;
  taskType: TaskType;
  targets: TargetSpec[];
  serviceRoleArn?: string;
  taskParameters?: Record<string, ParameterValues>;
  invocationParameters?: InvocationParameters;
  priority: number;
  maxConcurrency?: string;
  maxErrors?: string;
  loggingInfo?: LoggingInfo;
  name?: string;
  description?: string;
  cutoffBehavior?: CutoffBehavior;
  alarmConfiguration?: AlarmConfiguration;
}

export interface Tag {
  key: string;
  value: string;
}
