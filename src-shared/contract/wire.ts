import { z } from 'zod';

/**
 * Serve mode's WebSocket protocol: the same contract as the Electron IPC channels, framed as
 * JSON. The socket is `ws://127.0.0.1:PORT/ws?token=TOKEN`; a missing or wrong token is
 * refused at the upgrade (HTTP 401) before any frame is read.
 */
export const ClientFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('invoke'), id: z.number().int().nonnegative(), name: z.string().max(100), request: z.unknown() }),
  z.object({ type: z.literal('ping'), id: z.number().int().nonnegative() }),
]);
export type ClientFrame = z.infer<typeof ClientFrame>;

export type ServerFrame =
  | { type: 'result'; id: number; result: unknown }
  | { type: 'event'; topic: string; payload: unknown; publishedAt?: number }
  | { type: 'pong'; id: number }
  | { type: 'error'; message: string };

/** Electron IPC channel names, derived from the command names. */
export const IPC_INVOKE_CHANNEL = 'surge:invoke';
export const IPC_EVENT_CHANNEL = 'surge:event';
