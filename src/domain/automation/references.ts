// `{{ ... }}` in a runbook step's inputs, resolved as Automation resolves them: a parameter of the
// execution, a step's output (`{{ StepName.OutputName }}`), or one of AWS's variables
// (`automation:EXECUTION_ID`, `global:ACCOUNT_ID`, `global:REGION`, `global:DATE`, `global:DATE_TIME`,
// `global:AWS_PARTITION`, `global:AWS_URL_SUFFIX`). A string that is exactly one reference takes the
// value with its type (a StringList stays a list); a reference inside longer text is written into it.
// Parameter Store references (`{{ssm:/name}}`) are left as they are. Pure: `now` is given.

export interface ReferenceContext {
  executionId: string;
  account: string;
  region: string;
  now: number;
  parameters: Record<string, unknown>;
  /** Outputs of the steps that ran, by step name. */
  stepOutputs: Record<string, Record<string, unknown>>;
}

export class UnresolvedReference extends Error {
  readonly reference: string;
  constructor(reference: string) {
    super(`The reference {{ ${reference} }} cannot be resolved: no parameter, step output or variable has that name.`);
    this.reference = reference;
  }
}

const ONLY_REFERENCE = /^\{\{\s*([^{}]+?)\s*\}\}$/;
const REFERENCE = /\{\{\s*([^{}]+?)\s*\}\}/g;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function variable(name: string, context: ReferenceContext): unknown {
  const d = new Date(context.now);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  switch (name) {
    case 'automation:EXECUTION_ID': return context.executionId;
    case 'global:ACCOUNT_ID': return context.account;
    case 'global:REGION': return context.region;
    case 'global:DATE': return date;
    case 'global:DATE_TIME': return `${date}_${pad(d.getUTCHours())}.${pad(d.getUTCMinutes())}.${pad(d.getUTCSeconds())}`;
    case 'global:AWS_PARTITION': return 'aws';
    case 'global:AWS_URL_SUFFIX': return 'amazonaws.com';
    default: return undefined;
  }
}

/** The value a reference names, or undefined. */
export function lookup(name: string, context: ReferenceContext): unknown {
  if (Object.hasOwn(context.parameters, name)) return context.parameters[name];
  const known = variable(name, context);
  if (known !== undefined) return known;
  const dot = name.indexOf('.');
  if (dot > 0) {
    const outputs = context.stepOutputs[name.slice(0, dot)];
    const key = name.slice(dot + 1);
    if (outputs && Object.hasOwn(outputs, key)) return outputs[key];
  }
  return undefined;
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(asText).join(',');
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/** `value` with every reference resolved (new objects; throws UnresolvedReference). */
export function resolveReferences(value: unknown, context: ReferenceContext): unknown {
  if (typeof value === 'string') {
    const only = ONLY_REFERENCE.exec(value);
    if (only && !only[1].startsWith('ssm:') && !only[1].startsWith('ssm-secure:')) {
      const found = lookup(only[1], context);
      if (found === undefined) throw new UnresolvedReference(only[1]);
      return found;
    }
    return value.replace(REFERENCE, (whole, name: string) => {
      if (name.startsWith('ssm:') || name.startsWith('ssm-secure:')) return whole;
      const found = lookup(name, context);
      if (found === undefined) throw new UnresolvedReference(name);
      return asText(found);
    });
  }
  if (Array.isArray(value)) return value.map((item) => resolveReferences(item, context));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveReferences(v, context)]));
  }
  return value;
}
