// Checks a decoded request body against the model before any handler runs, answering as the AWS service
// framework does:
// 1. types — a member whose JSON type does not fit its shape → SerializationException (HTTP 400), first
//    problem only (validation/serialization.ts has the message forms and their sources);
// 2. constraints — required, min/max, pattern, enum, all of them (at most 10) → ValidationException
//    (HTTP 400), `N validation error(s) detected: <item>; <item>` (validation/constraints.ts);
// 3. projection — unknown members and null members are dropped, at every depth (validation/projection.ts).
// Each operation's checks are compiled once, on its first call; a call allocates only when it reports something.
import { operationNames, operations, shapes, type OperationName } from './generated/shapes.ts';
import { compileConstraints, type ConstraintCheck } from './validation/constraints.ts';
import { compileProjections, type Projection } from './validation/projection.ts';
import { bodyProblem, compileTypeChecks, type TypeCheck } from './validation/serialization.ts';

export type InputCheck =
  | { ok: true; input: unknown }
  | { ok: false; code: 'SerializationException' | 'ValidationException'; message: string };

interface CompiledOperation {
  types: TypeCheck;
  constraints: ConstraintCheck;
  projection: Projection;
}

// Compiled on an operation's first call, not at start: the service starts faster, and a process that
// never sees an operation never pays for it.
const typeOf = compileTypeChecks(shapes);
const constraintsOf = compileConstraints(shapes);
const projectionOf = compileProjections(shapes);
const compiled = new Map<OperationName, CompiledOperation>();
const known = new Set<string>(operationNames);

function compiledFor(op: OperationName): CompiledOperation | undefined {
  let found = compiled.get(op);
  if (!found && known.has(op)) {
    const input = operations[op].input;
    found = { types: typeOf(input), constraints: constraintsOf(input), projection: projectionOf(input) };
    compiled.set(op, found);
  }
  return found;
}

// Reused across calls (checkInput is synchronous); its items are copied into the message.
const sink: string[] = [];

/**
 * Checks `body`, the already JSON.parsed request body of `operation`; when it passes, `input` is the body
 * as the handler must see it (unknown and null members dropped).
 * A SerializationException with message '' means AWS sends no message member at all (a body that is
 * JSON null, a string or a number).
 */
export function checkInput(operation: OperationName, body: unknown): InputCheck {
  const op = compiledFor(operation);
  if (!op) throw new TypeError(`checkInput: unknown operation ${String(operation)}`);
  const bad = bodyProblem(body) ?? op.types(body);
  if (bad !== undefined) return { ok: false, code: 'SerializationException', message: bad };
  sink.length = 0;
  op.constraints(body, '', sink);
  const n = sink.length;
  if (n === 0) return { ok: true, input: op.projection(body) };
  const message = `${n} validation error${n === 1 ? '' : 's'} detected: ${sink.join('; ')}`;
  sink.length = 0;
  return { ok: false, code: 'ValidationException', message };
}
