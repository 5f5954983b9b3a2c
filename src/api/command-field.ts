import type { Command } from "../app/command.js";
import type { CommandResult, RequestContext } from "../app/command-pipeline.js";
import { previewChange, type ChangePreview } from "../app/preview-change.js";
import { DomainError } from "../domain/shared/domain-error.js";
import { entityIdOfStream } from "../domain/shared/stream-ids.js";
import { builder } from "./builder.js";
import { commandAuthority } from "./authorization/authorize-checks.js";
import { mutationCommands } from "./mutation-commands.js";
import type { Context } from "./context.js";

/**
 * The outcome of a mutation asked with `dryRun: true`: the `ChangePreview` member of its
 * `<Field>Result` union (GraphQL type in types/preview-change.ts).
 *
 * Why a union member rather than an optional `preview` on each payload: a dry run has no entity
 * to return (a dry-run createUser created no user), and every payload's entity field is
 * non-null, so the payloads could not be filled honestly; a third member keeps them as they are,
 * and clients switch on `__typename` as they already do for `IamError`.
 *
 * The errors plugin builds each union from the classes in `errors.types` and turns a *thrown*
 * instance of one into that member, so `send` throws this to end the resolver before it reads
 * the entity back. It is deliberately not an Error: graphql-js treats any Error a resolver
 * returns as a field error, and restorePrincipal returns the same type as a plain field.
 */
export class DryRunPreview {
  constructor(readonly preview: ChangePreview) {}
}

/** For a mutation's `errors` option: `<Field>Result = <Payload> | IamError | ChangePreview`. */
export const commandErrors = { types: [DomainError, DryRunPreview] };

/** Spread into a mutation's args to give it `dryRun` (pass the args on to `send`). */
export const dryRunArgs = builder.args((t) => ({
  dryRun: t.boolean({
    defaultValue: false,
    description:
      "Validate and authorize the change exactly as for real, append nothing, and return a ChangePreview: the events it would append and each principal and action whose decision would flip (as previewChange reports them).",
  }),
  previewActions: t.stringList({
    description: "With dryRun: the actions to evaluate before and after. Default: every action named in the affected principals' policies, before or after.",
  }),
}));

export interface DryRunOptions {
  readonly dryRun?: boolean | null;
  readonly previewActions?: readonly string[] | null;
}

/**
 * Sends a command on behalf of the request's caller, who the pipeline authorizes under the write
 * lock. Resolvers stay: arguments → command → result. With `dryRun`, the pipeline rehearses it
 * (same authorization, same refusals, rolled back) and the preview is thrown as the field's result.
 */
export async function send(ctx: Context, command: Command, options: DryRunOptions = {}): Promise<CommandResult> {
  if (options.dryRun) {
    throw new DryRunPreview(await previewChange(ctx.commands, command, requestOf(ctx), options.previewActions ?? undefined));
  }
  return ctx.commands.handle(command, requestOf(ctx));
}

/** Sends the command a mutation field stands for: its arguments become the command through `mutationCommands`, once. */
export function sendMutation(ctx: Context, field: string, args: Record<string, unknown> & DryRunOptions): Promise<CommandResult> {
  const toCommand = mutationCommands[field];
  if (!toCommand) throw new Error(`no command mapping for mutation ${field}`);
  return send(ctx, toCommand(args, ctx.caller), args);
}

/** What the events of a request's commands record about it (the authenticated actor and key), and who authorizes them. */
export function requestOf(ctx: Context): RequestContext {
  // Root is allowed everything without evaluation (as in AWS): nothing to decide under the lock.
  const authorize = ctx.caller.kind === "root" ? {} : { authorize: commandAuthority(ctx) };
  return { actor: ctx.actor, requestId: ctx.requestId, accessKeyId: ctx.caller.accessKeyId, ...authorize };
}

/** The id of the entity a command's events are about (from their stream id). */
export function entityIdOf(result: CommandResult, fallback?: string): string {
  const streamId = result.events[0]?.streamId;
  if (streamId) return entityIdOfStream(streamId);
  if (fallback) return fallback;
  throw new Error("command produced no events and no id was known");
}
