// Cross-field rules for maintenance window tasks (SPEC 1.2 and 7).

import { ValidationException } from './errors.ts';
import type { TaskType, WindowTask } from './model.ts';
import type { TaskTargetKind } from './target-rules.ts';

/** What AWS stores and reports for a targetless task's rate controls. */
export const TARGETLESS_PLACEHOLDER = '1';

const invocationMember: Record<TaskType, 'RunCommand' | 'Automation' | 'StepFunctions' | 'Lambda'> = {
  RUN_COMMAND: 'RunCommand',
  AUTOMATION: 'Automation',
  STEP_FUNCTIONS: 'StepFunctions',
  LAMBDA: 'Lambda',
};

/**
 * Checks the task as it will be stored and returns it with the rate-control placeholders applied.
 * `explicit` tells which rate controls the caller sent in this request (a targetless task may not send them).
 */
export function checkTask(
  task: WindowTask,
  targetKind: TaskTargetKind,
  explicit: { maxConcurrency: boolean; maxErrors: boolean },
): WindowTask {
  if (targetKind === 'none') {
    if (task.taskType === 'RUN_COMMAND') {
      throw new ValidationException('Targets must be specified for maintenance window tasks of type RUN_COMMAND.');
    }
    // Real AWS wording (SPEC 7): both sentences, space-separated, when both are given.
    const refused: string[] = [];
    if (explicit.maxErrors) refused.push('Maintenance window tasks without targets do not support MaxErrors values.');
    if (explicit.maxConcurrency) refused.push('Maintenance window tasks without targets do not support MaxConcurrency values.');
    if (refused.length > 0) throw new ValidationException(refused.join(' '));
    task = { ...task, maxConcurrency: TARGETLESS_PLACEHOLDER, maxErrors: TARGETLESS_PLACEHOLDER };
  } else {
    const missing: string[] = [];
    if (task.maxConcurrency === undefined) missing.push('MaxConcurrency');
    if (task.maxErrors === undefined) missing.push('MaxErrors');
    if (missing.length > 0) {
      throw new ValidationException(`${missing.join(' and ')} must be specified for maintenance window tasks with targets.`);
    }
  }
  const parameters = task.invocationParameters;
  if (parameters) {
    const expected = invocationMember[task.taskType];
    for (const member of Object.keys(parameters) as (keyof typeof parameters)[]) {
      if (parameters[member] !== undefined && member !== expected) {
        throw new ValidationException(
          `TaskInvocationParameters.${member} cannot be used with TaskType ${task.taskType}; use TaskInvocationParameters.${expected}.`,
        );
      }
    }
  }
  return task;
}
