// A session transcript's bound: the first `limit` bytes of output pass, then one marker, then nothing.
// AWS's session logging records what the node sent the user (the agent logs its output stream; the user's
// keystrokes reach the log only as the shell echoes them), so only output is offered here.

export const TRUNCATION_MARKER = '\r\n[transcript truncated: the session went on past this point]\r\n';

export class TranscriptBound {
  readonly #limit: number;
  #taken = 0;
  #truncated = false;

  /** `limit`: the output bytes kept; the marker comes on top of it. */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** What of `chunk` the transcript records: all of it, its head and the marker, or nothing. */
  take(chunk: Uint8Array): Buffer {
    if (this.#truncated) return Buffer.alloc(0);
    const room = this.#limit - this.#taken;
    if (chunk.length <= room) {
      this.#taken += chunk.length;
      return Buffer.from(chunk);
    }
    this.#truncated = true;
    this.#taken = this.#limit;
    return Buffer.concat([Buffer.from(chunk.subarray(0, room)), Buffer.from(TRUNCATION_MARKER, 'utf8')]);
  }

  get truncated(): boolean {
    return this.#truncated;
  }
}
