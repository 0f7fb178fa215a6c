import { commands, type CommandHandlers, type CommandName, type PartialHandlers } from '../../src-shared/contract/commands';
import { parse } from '../../src-shared/contract/parse';
import { err, type Result } from '../../src-shared/contract/result';
import type { Logger } from './ops/logger';

/**
 * Combines the handlers each domain declares next to its code into the one command map.
 * A command handled twice, or not at all, is an error at start-up, not at first use.
 */
export function combineHandlers(...groups: Array<[owner: string, handlers: PartialHandlers]>): CommandHandlers {
  const combined: Partial<Record<CommandName, unknown>> = {};
  const owners = new Map<string, string>();
  for (const [owner, handlers] of groups) {
    for (const name of Object.keys(handlers) as CommandName[]) {
      const previous = owners.get(name);
      if (previous !== undefined) throw new Error(`command "${name}" is handled by both ${previous} and ${owner}`);
      if (!(name in commands)) throw new Error(`${owner} handles "${name}", which the contract does not declare`);
      owners.set(name, owner);
      combined[name] = handlers[name];
    }
  }
  const missing = (Object.keys(commands) as CommandName[]).filter((name) => !owners.has(name));
  if (missing.length > 0) throw new Error(`no handler for command(s): ${missing.join(', ')}`);
  return combined as CommandHandlers;
}

const isCommandName = (name: string): name is CommandName => Object.prototype.hasOwnProperty.call(commands, name);

/**
 * The single entry point for untrusted requests (IPC, WebSocket, scripts): the command name
 * and payload are parsed with the contract before any handler runs; a handler that throws
 * becomes an `internal` error result so the other side always gets data back.
 */
export class CommandDispatcher {
  constructor(
    private readonly handlers: CommandHandlers,
    private readonly logger: Logger,
  ) {}

  async invoke(name: unknown, request: unknown): Promise<Result<unknown>> {
    if (typeof name !== 'string' || !isCommandName(name)) {
      return err('validation', `unknown command: ${typeof name === 'string' ? JSON.stringify(name.slice(0, 100)) : typeof name}`, ['name']);
    }
    const parsed = parse(commands[name].request, request ?? {}, 'request');
    if (!parsed.ok) return parsed;
    try {
      const handler = this.handlers[name] as (request: unknown) => Promise<Result<unknown>>;
      return await handler(parsed.value);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error(`command ${name} failed`, { error });
      return err('internal', `${name} failed: ${message}`);
    }
  }
}
