import type { DomainError } from "../../domain/shared/domain-error.js";
import type { Context } from "../context.js";
import type { AuthorizationChecks } from "../../authz/authorization-check.js";
import { authorizeChecks, callerRequest } from "./authorize-checks.js";

/** The last message of a subscription whose caller lost the permission it started with. */
export class Revoked {
  constructor(readonly denial: DomainError) {}
}

/**
 * A subscription that ends when its caller may no longer have it. Two watches, because either
 * alone leaves a gap:
 * - before each message is delivered, the checks run again (in memory once the caller's policies
 *   are warm; the policy cache is invalidated on commit before the live hub fans out), so nothing
 *   committed after a revocation reaches a caller who lost access;
 * - the live hub watches each check as a decision (`decisionChanged`), so an idle subscription
 *   is closed as soon as a committed change flips it to denied — not at its next message.
 * The end is a last message carrying AccessDenied (the guard's resolver raises it), then done.
 * Time-based conditions (aws:CurrentTime) are re-read at each message, not on a timer.
 */
export async function revocable<T>(ctx: Context, checks: AuthorizationChecks, source: AsyncIterator<T>): Promise<AsyncIterableIterator<T | Revoked>> {
  let ended = false;
  // Re-armed after a flip the checks do not confirm (it flipped back before they ran).
  let signalRevoked!: () => void;
  let revokedByHub!: Promise<"revoked">;
  const arm = () => (revokedByHub = new Promise<"revoked">((resolve) => (signalRevoked = () => resolve("revoked"))));
  arm();
  const opened = ctx.live ? await Promise.allSettled(checks.map((c) => ctx.live!.decisionChanged(callerRequest(ctx, c.action, c.resource, c.context)))) : [];
  const watches = opened.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
  const failed = opened.find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (failed) {
    // Without its watches the subscription could outlive its permission: let nothing leak, refuse.
    await Promise.all([...watches.map((w) => w.return()), source.return?.()]);
    throw failed.reason;
  }
  for (const watch of watches) {
    void (async () => {
      for await (const change of watch) if (change.after !== "allowed") signalRevoked();
    })().catch(() => signalRevoked()); // a failed watch cannot vouch any more: decide again now
  }

  let pending: Promise<IteratorResult<T>> | undefined;
  const end = async () => {
    ended = true;
    await Promise.all([...watches.map((w) => w.return()), source.return?.()]);
  };
  const revoke = async (denial: DomainError): Promise<IteratorResult<T | Revoked>> => {
    await end();
    return { value: new Revoked(denial), done: false };
  };

  const iterator: AsyncIterableIterator<T | Revoked> = {
    async next() {
      for (;;) {
        if (ended) return { value: undefined, done: true };
        pending ??= source.next();
        const first = await Promise.race([pending, revokedByHub]).catch(async (err: unknown) => {
          await end();
          throw err;
        });
        if (ended) return { value: undefined, done: true };
        // Decided again whichever came first, so the AccessDenied names the reason that holds now.
        const denial = await authorizeChecks(ctx, checks);
        if (denial) return revoke(denial);
        if (first === "revoked") {
          arm();
          continue;
        }
        pending = undefined;
        if (first.done) await end();
        return first;
      }
    },
    async return() {
      if (!ended) await end();
      return { value: undefined, done: true };
    },
    async throw(err) {
      if (!ended) await end();
      throw err;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  // The subscription may already have been revoked between the start check and the watches.
  const late = watches.length > 0 ? await authorizeChecks(ctx, checks) : undefined;
  if (late) {
    await end();
    throw late;
  }
  return iterator;
}
