// What a control command (control-commands.ts) throws when its call gets no usable answer; on its own so
// that failure-lines.ts can tell it apart without `serve` loading the control commands.

export type EndpointProblem =
  | { kind: 'unreachable'; cause: unknown }
  | { kind: 'timeout'; seconds: number }
  | { kind: 'not-json'; status: number; contentType: string }
  | { kind: 'error-answer'; status: number; type?: string; message?: string };

/** A control call that did not get a usable answer: which request, and what went wrong. */
export class EndpointError extends Error {
  readonly request: { endpoint: string; method: string; url: string };
  readonly problem: EndpointProblem;
  constructor(request: EndpointError['request'], problem: EndpointProblem) {
    super(`${request.method} ${request.url}: ${problem.kind}`);
    this.request = request;
    this.problem = problem;
  }
}
