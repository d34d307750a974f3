// The one error this module throws. Its message is user-facing: the service puts it into a ValidationException.
export class ScheduleError extends Error {
  override name = 'ScheduleError';
}
