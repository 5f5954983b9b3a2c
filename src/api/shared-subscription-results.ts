import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from "graphql";
import type { Plugin } from "graphql-yoga";

type Result = ExecutionResult | Promise<ExecutionResult>;

/**
 * Executes a subscription's selection once per message, not once per subscriber.
 *
 * The live hub hands the same message object to every subscription of a principal (ten
 * dashboards watching alice all receive one PermissionsChange). graphql-js would execute the
 * selection set for each of them; this does what `subscribe` does — source stream, then
 * `execute` with the message as root value — but remembers each result by message, document,
 * operation, variables and caller, so identical subscriptions share it. The caller is part of
 * the key because nested fields are authorized per caller. Results are kept in a WeakMap on the
 * message: they are dropped with it once every subscriber has been served.
 */
export function sharedSubscriptionResults(): Plugin {
  const results = new WeakMap<DocumentNode, WeakMap<object, Map<string, Result>>>();
  const subscribeShared = async (args: ExecutionArgs) => {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source;
    const caller = (args.contextValue as { caller?: { arn: string } } | undefined)?.caller?.arn ?? "";
    const key = `${args.operationName ?? ""}\u0000${JSON.stringify(args.variableValues ?? {})}\u0000${caller}`;
    let byMessage = results.get(args.document);
    if (!byMessage) results.set(args.document, (byMessage = new WeakMap()));
    const messages = byMessage;
    const run = (payload: unknown): Result => {
      if (typeof payload !== "object" || payload === null) return execute({ ...args, rootValue: payload });
      let byKey = messages.get(payload);
      if (!byKey) messages.set(payload, (byKey = new Map()));
      let result = byKey.get(key);
      if (!result) byKey.set(key, (result = execute({ ...args, rootValue: payload })));
      return result;
    };
    return mapAsyncIterator(source, run);
  };
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(subscribeShared as never);
    },
  };
}

/** graphql-js's own mapping of a source stream to responses, with return/throw passed through. */
function mapAsyncIterator<T, U>(source: AsyncIterable<T>, map: (value: T) => U | Promise<U>): AsyncGenerator<U, void, void> {
  const iterator = source[Symbol.asyncIterator]();
  const mapped: AsyncGenerator<U, void, void> = {
    async next() {
      const step = await iterator.next();
      return step.done ? { value: undefined, done: true } : { value: await map(step.value), done: false };
    },
    async return() {
      await iterator.return?.();
      return { value: undefined, done: true };
    },
    async throw(err: unknown) {
      if (iterator.throw) {
        const step = await iterator.throw(err);
        return step.done ? { value: undefined, done: true } : { value: await map(step.value), done: false };
      }
      throw err;
    },
    [Symbol.asyncIterator]() {
      return mapped;
    },
  } as AsyncGenerator<U, void, void>;
  return mapped;
}
