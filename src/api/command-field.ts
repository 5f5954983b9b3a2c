import type { Command } from "../app/command.js";
import type { CommandResult, RequestContext } from "../app/command-pipeline.js";
import type { Context } from "./context.js";

/** Sends a command on behalf of the request's actor. Resolvers stay: arguments → command → result. */
export function send(ctx: Context, command: Command): Promise<CommandResult> {
  return ctx.commands.handle(command, requestOf(ctx));
}

/** What the events of a request's commands record about it: the authenticated actor and key. */
export function requestOf(ctx: Context): RequestContext {
  return { actor: ctx.actor, requestId: ctx.requestId, accessKeyId: ctx.caller.accessKeyId };
}

/** The id of the entity a command's events are about (the stream is `<kind>-<id>`). */
export function entityIdOf(result: CommandResult, fallback?: string): string {
  const streamId = result.events[0]?.streamId;
  if (streamId) return streamId.slice(streamId.indexOf("-") + 1);
  if (fallback) return fallback;
  throw new Error("command produced no events and no id was known");
}
