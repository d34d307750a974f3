// One end of a session's data channel as the relay sees it: a socket that takes frames, says how much it
// still holds unsent, closes, and reports the frames it receives and its end. The relay knows nothing of
// WebSockets; `wsPeer` adapts a `ws` socket whose OpenDataChannel text frame the endpoint has already read.

import type { WebSocket } from 'ws';

export interface PeerListeners {
  /** A message off the socket; `binary` false for a text frame (after opening, both peers send only binary). */
  frame(data: Buffer, binary: boolean): void;
  /** Once, when the socket is gone, whoever closed it. */
  close(): void;
}

export interface Peer {
  send(frame: Buffer): void;
  /** Bytes queued to this peer and not yet written to the network: grows when the peer stops reading. */
  readonly bufferedAmount: number;
  /** Ends the socket; one that does not finish closing soon is destroyed (it may have stopped reading). */
  close(code: number, reason: string): void;
  /** Called once by the relay, at attach. */
  listen(listeners: PeerListeners): void;
}

/** WebSocket close codes the relay uses (RFC 6455 section 7.4.1). */
export const CloseCode = { Normal: 1000, GoingAway: 1001, PolicyViolation: 1008, TooBig: 1009, InternalError: 1011, TryAgainLater: 1013 } as const;

/**
 * A `ws` socket as a Peer. `closeTimeoutMs` (default 2000): how long a close handshake may take before the
 * socket is destroyed, so a peer that stopped reading cannot keep its buffers alive.
 */
export function wsPeer(socket: WebSocket, closeTimeoutMs = 2000): Peer {
  return {
    send(frame) {
      if (socket.readyState === socket.OPEN) socket.send(frame, { binary: true });
    },
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    close(code, reason) {
      if (socket.readyState === socket.CLOSED) return;
      // A close reason is at most 123 bytes on the wire; ws throws on a longer one.
      socket.close(code, Buffer.from(reason).subarray(0, 123).toString('utf8').replace(/\uFFFD+$/, ''));
      const timer = setTimeout(() => socket.terminate(), closeTimeoutMs);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
    },
    listen(listeners) {
      socket.on('message', (data, binary) => {
        const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
        listeners.frame(bytes, binary);
      });
      socket.once('close', () => listeners.close());
      // An 'error' is always followed by 'close'; without a listener it would throw.
      socket.on('error', () => {});
    },
  };
}
