/**
 * The IPC channel names as the preload sees them. wire.ts declares them too, but importing
 * wire.ts would pull all of zod (~700 KiB) into the sandboxed preload for two strings;
 * ipc-main-adapter.test.ts proves the two declarations agree.
 */
export const PRELOAD_INVOKE_CHANNEL = 'surge:invoke';
export const PRELOAD_EVENT_CHANNEL = 'surge:event';
