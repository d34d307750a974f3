// What the API shows of an invocation's output and duration: the first 24,000 / 8,000 characters of its
// streams (cut as the agent cuts them), a plugin's 2,500-character Output, ExecutionElapsedTime.

import type { CommandInvocation } from './command-invocation.ts';

/** AWS keeps the first 24,000 characters of standard output in the API and 8,000 of standard error. */
export const STDOUT_API_LIMIT = 24_000;
export const STDERR_API_LIMIT = 8_000;
/** The agent's marker when it cut the output short (amazon-ssm-agent's iohandler). */
export const TRUNCATED_MARKER = '--output truncated--';

/** As the agent cuts it: output of `limit` characters or more keeps its first `limit - 20` and the marker. */
export function apiOutput(text: string, limit: number): string {
  return text.length < limit ? text : text.slice(0, limit - TRUNCATED_MARKER.length) + TRUNCATED_MARKER;
}

/** A plugin's Output (at most 2,500 characters): stdout, then stderr after the agent's separator. */
export function pluginOutput(stdout: string, stderr: string): string {
  const limit = 2_500;
  const cut = (text: string, room: number, marker: string) => (text.length <= room ? text : text.slice(0, Math.max(0, room - marker.length)) + marker);
  if (!stderr) return cut(stdout, limit, '\n---Output truncated---');
  const separator = '\n----------ERROR-------\n';
  const out = cut(stdout, Math.floor(limit / 2), '\n---Output truncated---');
  return out + separator + cut(stderr, limit - out.length - separator.length, '\n---Error truncated----');
}

/** ISO-8601 duration as GetCommandInvocation's ExecutionElapsedTime shows it, e.g. `PT0.123S`, `PT1M5.2S`. */
export function elapsedTime(ms: number): string {
  const totalSeconds = Math.max(0, ms) / 1000;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = Number((totalSeconds % 60).toFixed(3));
  return `PT${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds}S`;
}

/** The first 24,000 / 8,000 characters of an invocation's output, as the API shows them. */
export function shownOutput(invocation: { stdout: string; stderr: string }): { stdout: string; stderr: string } {
  return { stdout: apiOutput(invocation.stdout, STDOUT_API_LIMIT), stderr: apiOutput(invocation.stderr, STDERR_API_LIMIT) };
}
