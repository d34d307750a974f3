// Is a 200 answer what the model says the operation returns? Strictly: no member the output shape does
// not have (an unknown request member stored and echoed back shows up here), no JSON null (a null stored as
// a value), every value of its shape's JSON type, integers within Java's range, enums from the model.

import { shapes, type ShapeName } from '../../src/wire/generated/shapes.ts';

const LIMIT = 5;
const INT = 2 ** 31;

export function outputProblems(shape: ShapeName, value: unknown, path = '', out: string[] = []): string[] {
  if (out.length >= LIMIT) return out;
  const s = shapes[shape];
  const at = path || '(body)';
  if (value === null) {
    out.push(`${at} is null`);
    return out;
  }
  switch (s.type) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        out.push(`${at} is not an object`);
        break;
      }
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const ref = s.members?.[k];
        if (!ref || !Object.hasOwn(s.members!, k)) out.push(`${at} has unknown member ${JSON.stringify(k)}`);
        else outputProblems(ref.shape, v, path ? `${path}.${k}` : k, out);
      }
      break;
    }
    case 'list':
      if (!Array.isArray(value)) out.push(`${at} is not a list`);
      else value.forEach((v, i) => outputProblems(s.member!.shape, v, `${path}[${i}]`, out));
      break;
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value)) out.push(`${at} is not a map`);
      else for (const [k, v] of Object.entries(value as Record<string, unknown>)) outputProblems(s.value!.shape, v, `${path}{${k}}`, out);
      break;
    case 'string':
      if (typeof value !== 'string') out.push(`${at} is ${typeof value}, not a string`);
      else if (s.enum && !s.enum.includes(value)) out.push(`${at} ${JSON.stringify(value)} is not one of the enum's values`);
      break;
    case 'integer':
    case 'long':
      if (!Number.isInteger(value)) out.push(`${at} ${JSON.stringify(value)} is not an integer`);
      else if (s.type === 'integer' && ((value as number) >= INT || (value as number) < -INT)) out.push(`${at} ${value} is beyond Java's int range`);
      else if (!Number.isSafeInteger(value)) out.push(`${at} ${value} is beyond a long's exact range`);
      break;
    case 'boolean':
      if (typeof value !== 'boolean') out.push(`${at} is ${typeof value}, not a boolean`);
      break;
    case 'timestamp':
      if (typeof value !== 'number' || !Number.isFinite(value)) out.push(`${at} ${JSON.stringify(value)} is not epoch seconds`);
      break;
    case 'blob':
      if (typeof value !== 'string') out.push(`${at} is not a base64 string`);
      break;
    default:
      if (typeof value !== 'number') out.push(`${at} is not a number`);
  }
  return out;
}
