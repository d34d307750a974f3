// One base error for everything the service reports to a caller. It carries facts (code, fault, message);
// the wire layer alone decides the HTTP status and body shape.

export type Fault = 'client' | 'server';

export class ServiceError extends Error {
  readonly code: string;
  readonly fault: Fault;
  constructor(code: string, message: string, fault: Fault = 'client') {
    super(message);
    this.code = code;
    this.fault = fault;
  }
}

export class ValidationException extends ServiceError {
  constructor(message: string) {
    super('ValidationException', message);
  }
}

export type MissingResource =
  | { kind: 'window'; id: string }
  | { kind: 'target'; id: string }
  | { kind: 'task'; id: string }
  | { kind: 'execution'; id: string }
  | { kind: 'task-execution'; id: string }
  | { kind: 'invocation'; id: string };

// The window message is AWS's own (SPEC 1.2); the others follow its pattern (SPEC 4.4, [I]).
const missingLabels: Record<MissingResource['kind'], string> = {
  window: 'Maintenance window',
  target: 'Maintenance window target',
  task: 'Maintenance window task',
  execution: 'Maintenance window execution',
  'task-execution': 'Maintenance window execution task',
  invocation: 'Maintenance window execution task invocation',
};

export class DoesNotExistException extends ServiceError {
  constructor(missing: MissingResource) {
    super('DoesNotExistException', `${missingLabels[missing.kind]} ${missing.id} does not exist`);
  }
}

export class IdempotentParameterMismatch extends ServiceError {
  constructor() {
    super(
      'IdempotentParameterMismatch',
      'Error occurred during operation. The ClientToken was used before with different parameters.',
    );
  }
}

export class ResourceLimitExceededException extends ServiceError {
  constructor(what: string, limit: number) {
    super('ResourceLimitExceededException', `${what} limit exceeded. Maximum allowed: ${limit}.`);
  }
}

export class TargetInUseException extends ServiceError {
  constructor(windowTaskId: string) {
    super(
      'TargetInUseException',
      `This Target cannot be deregistered because it is still referenced in Task: ${windowTaskId}`,
    );
  }
}

export class InvalidResourceId extends ServiceError {
  constructor() {
    super('InvalidResourceId', 'The resource ID is not valid. Verify that you entered the correct ID and try again.');
  }
}

export class InvalidResourceType extends ServiceError {
  constructor() {
    super('InvalidResourceType', 'The resource type is not valid. For example, if you are attempting to tag an EC2 instance, the instance must be a registered managed node.');
  }
}

export class TooManyTagsError extends ServiceError {
  constructor(limit: number) {
    super('TooManyTagsError', `The resource can have at most ${limit} tags.`);
  }
}

// ---- shared by Run Command, its documents and the managed nodes

/** The model's InvalidFilterKey has no members: AWS sends no message unless one is given. */
export class InvalidFilterKey extends ServiceError {
  constructor(message = '') {
    super('InvalidFilterKey', message);
  }
}

/** Run Command's wording for nodes it cannot reach: `Instances [[i-123]] not in a valid state for account 456`. */
export class InvalidInstanceId extends ServiceError {
  constructor(message: string) {
    super('InvalidInstanceId', message);
  }

  static notValid(instanceIds: readonly string[], account: string): InvalidInstanceId {
    return new InvalidInstanceId(`Instances [[${instanceIds.join(', ')}]] not in a valid state for account ${account}`);
  }
}

export class InvalidNextToken extends ServiceError {
  constructor() {
    super('InvalidNextToken', 'The specified token is not valid.');
  }
}

export class InternalServerError extends ServiceError {
  constructor(message = 'An internal error occurred.') {
    super('InternalServerError', message, 'server');
  }
}
