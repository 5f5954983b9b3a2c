import type { Authorizer, AuthorizeRequest } from "../authz/authorizer.js";
import { headPosition, type RawQueryable } from "../eventstore/read.js";
import type { StoredEvent } from "../eventstore/stored-event.js";
import type { EvalDecision, EvaluationResult } from "../policy/evaluate.js";
import type { EventBus } from "./event-bus.js";
import { entityStreamsByArn, EventMatcher, readFiltered, type EventFilter } from "./event-filter.js";
import { absentSet, diffSets, isEmptyDiff, knownSetKeys, loadKnownSets, type KnownSet } from "./known-set.js";
import { LiveStream, type SubscriptionOverflow } from "./live-stream.js";
import { causeOf, eventKeys, KeyIndex, type Cause, type DecisionChange, type PermissionsChange } from "./messages.js";
import { replayPermissionChanges } from "./permission-replay.js";

export interface LiveHubOptions {
  /** Undelivered messages a subscriber may have before it is cut off (default 1000). */
  readonly bufferLimit?: number;
  readonly onError?: (err: unknown) => void;
}

export interface SubscribeOptions {
  readonly after?: number | null;
  readonly onOverflow?: (overflow: SubscriptionOverflow) => void;
}

interface Tail {
  readonly matcher: EventMatcher;
  readonly sink: (event: StoredEvent) => void;
}

interface DecisionWatch {
  readonly request: AuthorizeRequest;
  last: EvaluationResult;
  readonly sinks: Set<(m: DecisionChange) => void>;
}

/** One watched principal, shared by every subscription to it: the set is diffed once per change. */
interface PrincipalWatch {
  readonly arn: string;
  known: KnownSet;
  keys: readonly string[];
  refs: number;
  readonly permissionSinks: Set<(m: PermissionsChange) => void>;
  readonly decisions: Map<string, DecisionWatch>;
  ready: Promise<void>;
}

/**
 * The live fan-out. One bus listener for the whole server; subscriptions are indexed by the keys
 * an event can name (stream, entity ids, ARNs), so an event costs work for its subscribers only.
 * Event tails are matched synchronously on publish. Principal watches are processed in one queue,
 * batch by batch in commit order: the principals a batch may affect come from the in-memory
 * index (their groups and policies are known), their sets are reloaded together in two queries,
 * and only their decision subscriptions are re-evaluated — in one authorizer batch.
 * Delivery pushes into each subscriber's bounded buffer and never waits for a client.
 */
export class LiveHub {
  readonly #db: RawQueryable;
  readonly #authorizer: Authorizer;
  readonly #limit: number;
  readonly #onError: (err: unknown) => void;
  readonly #tails = new KeyIndex<Tail>();
  readonly #allTails = new Set<Tail>();
  #tailCount = 0;
  readonly #watches = new Map<string, PrincipalWatch>();
  readonly #watchIndex = new KeyIndex<PrincipalWatch>();
  readonly #tasks: (() => Promise<void>)[] = [];
  #running = false;
  readonly #unsubscribe: () => void;
  /** Known sets read inside the writing transaction, by the position of its last event. */
  readonly #captured = new Map<number, Map<string, KnownSet>>();

  constructor(db: RawQueryable, bus: EventBus, authorizer: Authorizer, options: LiveHubOptions = {}) {
    this.#db = db;
    this.#authorizer = authorizer;
    this.#limit = options.bufferLimit ?? 1000;
    this.#onError = options.onError ?? (() => undefined);
    this.#unsubscribe = bus.subscribe((events) => this.#onEvents(events));
  }

  /** How much the hub holds: for tests, benches and metrics. */
  stats(): { tails: number; principals: number; decisions: number; subscribers: number } {
    let decisions = 0;
    let subscribers = this.#tailCount;
    for (const w of this.#watches.values()) {
      decisions += w.decisions.size;
      subscribers += w.permissionSinks.size;
      for (const d of w.decisions.values()) subscribers += d.sinks.size;
    }
    return { tails: this.#tailCount, principals: this.#watches.size, decisions, subscribers };
  }

  close(): void {
    this.#unsubscribe();
  }

  /** A live tail of the log, optionally resumed after a position. */
  async events(filter: EventFilter, options: SubscribeOptions = {}): Promise<LiveStream<StoredEvent>> {
    const streams = filter.entityArn ? await entityStreamsByArn(this.#db, filter.entityArn) : [];
    const matcher = new EventMatcher(filter, streams);
    return new LiveStream<StoredEvent>({
      after: options.after,
      limit: this.#limit,
      ...(options.onOverflow ? { onOverflow: options.onOverflow } : {}),
      attach: (sink) => this.#addTail({ matcher, sink }),
      catchUp: (after) => readFiltered(this.#db, after, matcher),
    });
  }

  async permissionsChanged(principalArn: string, options: SubscribeOptions = {}): Promise<LiveStream<PermissionsChange>> {
    const watch = await this.#acquire(principalArn);
    return new LiveStream<PermissionsChange>({
      after: options.after,
      limit: this.#limit,
      ...(options.onOverflow ? { onOverflow: options.onOverflow } : {}),
      attach: (sink) => {
        watch.permissionSinks.add(sink);
        return () => {
          watch.permissionSinks.delete(sink);
          this.#release(watch);
        };
      },
      catchUp: async function* (this: LiveHub, after: number) {
        const head = await headPosition(this.#db);
        yield* await replayPermissionChanges(this.#db, principalArn, after, head);
        return head;
      }.bind(this) as (after: number) => AsyncGenerator<PermissionsChange, number>,
    });
  }

  /**
   * Flips of one decision. On a resume (`after`), the first message says how the decision stands
   * now if anything changed for the principal since then: against `lastDecision` when the client
   * gives the one it held (only a flip is sent), else as a statement of the current decision.
   */
  async decisionChanged(
    request: AuthorizeRequest,
    options: SubscribeOptions & { readonly lastDecision?: EvalDecision | null } = {},
  ): Promise<LiveStream<DecisionChange>> {
    const watch = await this.#acquire(request.principalArn);
    const key = JSON.stringify([request.action, request.resource, request.context ?? []]);
    return new LiveStream<DecisionChange>({
      after: options.after,
      limit: this.#limit,
      ...(options.onOverflow ? { onOverflow: options.onOverflow } : {}),
      attach: (sink) => {
        let dw = watch.decisions.get(key);
        if (!dw) {
          dw = { request, last: pending, sinks: new Set() };
          watch.decisions.set(key, dw);
          const created = dw;
          this.#enqueue(async () => {
            if (created.last === pending) created.last = await this.#decide(request);
          });
        }
        dw.sinks.add(sink);
        return () => {
          dw.sinks.delete(sink);
          if (dw.sinks.size === 0) watch.decisions.delete(key);
          this.#release(watch);
        };
      },
      catchUp: async function* (this: LiveHub, after: number) {
        const head = await headPosition(this.#db);
        const changes = await replayPermissionChanges(this.#db, request.principalArn, after, head);
        const now = await this.#decide(request);
        const last = options.lastDecision ?? null;
        if (changes.length > 0 && (last === null || allowed(last) !== allowed(now.decision))) {
          yield decisionMessage(head, request, last, now, changes.at(-1)!.cause);
        }
        return head;
      }.bind(this) as (after: number) => AsyncGenerator<DecisionChange, number>,
    });
  }

  #addTail(tail: Tail): () => void {
    const keys = tail.matcher.indexKeys();
    if (keys.length === 0) this.#allTails.add(tail);
    for (const k of keys) this.#tails.add(k, tail);
    this.#tailCount++;
    return () => {
      this.#tailCount--;
      this.#allTails.delete(tail);
      for (const k of tail.matcher.entityKeys ?? keys) this.#tails.delete(k, tail);
    };
  }

  #onEvents(events: readonly StoredEvent[]): void {
    for (const event of events) {
      const candidates = new Set<Tail>(this.#allTails);
      for (const k of eventKeys(event)) for (const t of this.#tails.get(k) ?? []) candidates.add(t);
      for (const tail of candidates) {
        if (tail.matcher.matches(event, (k) => this.#tails.add(k, tail))) tail.sink(event);
      }
    }
    if (this.#watches.size > 0) this.#enqueue(() => this.#processBatch(events));
  }

  /**
   * Called by the command pipeline inside the writing transaction, after the projections ran
   * and before commit: reads the affected watches' sets exactly as of these events. Read after
   * commit instead, a set could already hold the next command's change (it commits while this
   * batch waits its turn), and two changes would arrive merged under the first one's cause.
   * Events from other instances, which are never captured here, fall back to reading at once.
   */
  async capture(tx: RawQueryable, events: readonly StoredEvent[]): Promise<void> {
    if (this.#watches.size === 0 || events.length === 0) return;
    const arns = [...this.#affected(events).keys()].map((w) => w.arn);
    if (arns.length === 0) return;
    this.#captured.set(events.at(-1)!.position, await loadKnownSets(tx, arns));
  }

  #affected(events: readonly StoredEvent[]): Map<PrincipalWatch, StoredEvent> {
    const affected = new Map<PrincipalWatch, StoredEvent>();
    for (const event of events) {
      for (const k of eventKeys(event)) {
        for (const w of this.#watchIndex.get(k) ?? []) if (!affected.has(w)) affected.set(w, event);
      }
    }
    return affected;
  }

  /** Principal watches: which ones the batch may touch, their new sets, their decisions. */
  async #processBatch(events: readonly StoredEvent[]): Promise<void> {
    const position = events.at(-1)!.position;
    const captured = this.#captured.get(position);
    // Captures of rolled-back commands never get processed; drop everything up to here.
    for (const p of this.#captured.keys()) if (p <= position) this.#captured.delete(p);
    const affected = this.#affected(events);
    if (affected.size === 0) return;
    const watches = [...affected.keys()];
    const missing = watches.filter((w) => !captured?.has(w.arn)).map((w) => w.arn);
    const sets = new Map(captured ?? []);
    if (missing.length > 0) for (const [arn, set] of await loadKnownSets(this.#db, missing)) sets.set(arn, set);
    const decisions: { watch: DecisionWatch; cause: Cause }[] = [];
    for (const watch of watches) {
      const next = sets.get(watch.arn) ?? absentSet;
      const diff = diffSets(watch.known, next);
      const existence = (watch.known.principalId !== undefined) !== (next.principalId !== undefined);
      this.#reindex(watch, next);
      const cause = causeOf(affected.get(watch)!);
      if (!isEmptyDiff(diff) || existence) {
        const message: PermissionsChange = { position, principalArn: watch.arn, cause, ...diff, principalExists: next.principalId !== undefined };
        for (const sink of watch.permissionSinks) sink(message);
      }
      for (const dw of watch.decisions.values()) decisions.push({ watch: dw, cause });
    }
    if (decisions.length === 0) return;
    const results = await this.#decideMany(decisions.map((d) => d.watch.request));
    decisions.forEach(({ watch, cause }, i) => {
      const now = results[i]!;
      const before = watch.last;
      watch.last = now;
      if (before === pending || allowed(before.decision) === allowed(now.decision)) return;
      const message = decisionMessage(position, watch.request, before.decision, now, cause);
      for (const sink of watch.sinks) sink(message);
    });
  }

  async #acquire(arn: string): Promise<PrincipalWatch> {
    let watch = this.#watches.get(arn);
    if (!watch) {
      const created: PrincipalWatch = { arn, known: absentSet, keys: [], refs: 0, permissionSinks: new Set(), decisions: new Map(), ready: Promise.resolve() };
      watch = created;
      this.#watches.set(arn, created);
      this.#watchIndex.add(arn, created);
      // Loaded in the batch queue: a batch is then either in the loaded set or processed after it.
      created.ready = new Promise((resolve, reject) =>
        this.#enqueue(async () => {
          try {
            const sets = await loadKnownSets(this.#db, [arn]);
            this.#reindex(created, sets.get(arn) ?? absentSet);
            resolve();
          } catch (err) {
            reject(err);
          }
        }),
      );
    }
    watch.refs++;
    try {
      await watch.ready;
    } catch (err) {
      this.#release(watch);
      throw err;
    }
    return watch;
  }

  #release(watch: PrincipalWatch): void {
    if (--watch.refs > 0) return;
    this.#watches.delete(watch.arn);
    this.#watchIndex.delete(watch.arn, watch);
    for (const k of watch.keys) this.#watchIndex.delete(k, watch);
  }

  #reindex(watch: PrincipalWatch, next: KnownSet): void {
    if (this.#watches.get(watch.arn) !== watch) return; // released meanwhile
    for (const k of watch.keys) this.#watchIndex.delete(k, watch);
    watch.known = next;
    watch.keys = knownSetKeys(next);
    for (const k of watch.keys) this.#watchIndex.add(k, watch);
    this.#watchIndex.add(watch.arn, watch);
  }

  async #decide(request: AuthorizeRequest): Promise<EvaluationResult> {
    return (await this.#decideMany([request]))[0]!;
  }

  async #decideMany(requests: readonly AuthorizeRequest[]): Promise<EvaluationResult[]> {
    const results = await this.#authorizer.authorizeMany(requests);
    // A principal that does not exist (yet, or any more) may do nothing.
    return results.map((r) => ("decision" in r ? r : noPrincipal));
  }

  #enqueue(task: () => Promise<void>): void {
    this.#tasks.push(task);
    if (!this.#running) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#running = true;
    while (this.#tasks.length > 0) {
      const task = this.#tasks.shift()!;
      try {
        await task();
      } catch (err) {
        this.#onError(err);
      }
    }
    this.#running = false;
  }
}

const noPrincipal: EvaluationResult = { decision: "implicitDeny", matchedStatements: [], reason: "no such principal" as EvaluationResult["reason"], missingContextValues: [] };
/** A decision watch whose first evaluation has not run yet. */
const pending = { decision: "implicitDeny", matchedStatements: [], reason: "pending", missingContextValues: [] } as unknown as EvaluationResult;

function allowed(decision: EvalDecision): boolean {
  return decision === "allowed";
}

function decisionMessage(position: number, request: AuthorizeRequest, before: EvalDecision | null, now: EvaluationResult, cause: Cause | null): DecisionChange {
  return { position, principalArn: request.principalArn, action: request.action, resource: request.resource, before, after: now.decision, reason: now.reason, cause };
}
