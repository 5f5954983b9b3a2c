import type { Authorizer, AuthorizeRequest } from "../authz/authorizer.js";
import { eventColumns, headPosition, toStoredEvent, type EventRow, type RawQueryable } from "../eventstore/read.js";
import type { StoredEvent } from "../eventstore/stored-event.js";
import type { EvalDecision, EvaluationResult } from "../policy/evaluate.js";
import type { EventBus } from "./event-bus.js";
import { entityStreamsByArn, EventMatcher, readFiltered, type EventFilter } from "./event-filter.js";
import { absentSet, diffSets, isEmptyDiff, knownSetKeys, loadKnownSets, type KnownSet } from "./known-set.js";
import { LiveStream, type SubscriptionOverflow } from "./live-stream.js";
import { causeOf, eventKeys, KeyIndex, type Cause, type DecisionChange, type PermissionsChange } from "./messages.js";
import { replayPermissionChanges } from "./permission-replay.js";
import { deriveSet, isDerivable, loadSetFacts } from "./derived-set.js";
import { noPrincipal, replayDecisions } from "./decision-replay.js";
import { commandEnd, eventChangingPaths, eventFlippingDecision, withExactCause } from "./change-cause.js";

export interface LiveHubOptions {
  /** Undelivered messages a subscriber may have before it is cut off (default 1000). */
  readonly bufferLimit?: number;
  readonly onError?: (err: unknown) => void;
  /** The authorizer's clock: when a watched role session expires (default the system clock). */
  readonly now?: () => Date;
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
  /** For a role session: fires when it expires, which denies everything without any event. */
  expiry?: ReturnType<typeof setTimeout>;
}

/** One watched principal, shared by every subscription to it: the set is diffed once per change. */
interface PrincipalWatch {
  readonly arn: string;
  /** The set last read, the head it was read at, and whether it is exactly the set there. */
  known: KnownSet;
  knownAt: number;
  exact: boolean;
  /** Changes up to here have been reported (or were before the watch began). */
  reportedTo: number;
  readonly keys: Set<string>;
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
  readonly #now: () => Date;
  readonly #tails = new KeyIndex<Tail>();
  readonly #allTails = new Set<Tail>();
  #tailCount = 0;
  readonly #watches = new Map<string, PrincipalWatch>();
  readonly #watchIndex = new KeyIndex<PrincipalWatch>();
  readonly #tasks: (() => Promise<void>)[] = [];
  #running = false;
  readonly #unsubscribe: () => void;

  constructor(db: RawQueryable, bus: EventBus, authorizer: Authorizer, options: LiveHubOptions = {}) {
    this.#db = db;
    this.#authorizer = authorizer;
    this.#limit = options.bufferLimit ?? 1000;
    this.#onError = options.onError ?? (() => undefined);
    this.#now = options.now ?? (() => new Date());
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
        yield* await this.#replay(principalArn, after, head);
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
    // A role session is watched through its role (its policies are the role's) but decided as
    // itself: two sessions of a role, and the role, are three different decisions.
    const key = JSON.stringify([request.action, request.resource, request.context ?? [], request.session ? [request.session.userId, request.session.issuedAt.toISOString()] : null]);
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
          if (request.session) this.#watchExpiry(created, request.session.expiresAt);
        }
        dw.sinks.add(sink);
        return () => {
          dw.sinks.delete(sink);
          if (dw.sinks.size === 0) {
            watch.decisions.delete(key);
            clearTimeout(dw.expiry);
          }
          this.#release(watch);
        };
      },
      catchUp: async function* (this: LiveHub, after: number) {
        const head = await headPosition(this.#db);
        const changes = await this.#replay(request.principalArn, after, head);
        const now = await this.#decide(request);
        const last = options.lastDecision ?? null;
        const flipped = last !== null && allowed(last) !== allowed(now.decision);
        if (changes.length > 0 && (last === null || flipped)) {
          yield decisionMessage(head, request, last, now, changes.at(-1)!.cause);
        } else if (flipped && request.session) {
          // Nothing in the log since: the session expired meanwhile.
          yield decisionMessage(head, request, last, now, null);
        }
        return head;
      }.bind(this) as (after: number) => AsyncGenerator<DecisionChange, number>,
    });
  }

  /**
   * A session's expiry flips its decisions with no event to carry it: re-decided when the clock
   * passes the expiration (the authorizer then answers "session expired"), and reported at the
   * log's head then, with no cause.
   */
  #watchExpiry(dw: DecisionWatch, expiresAt: Date): void {
    const delay = Math.max(0, expiresAt.getTime() - this.#now().getTime()) + 5;
    // Node's timers hold at most ~24.8 days; no session lasts longer than 12 hours.
    dw.expiry = setTimeout(() => {
      this.#enqueue(async () => {
        if (dw.sinks.size === 0 || dw.last === pending) return;
        const now = await this.#decide(dw.request);
        const before = dw.last;
        dw.last = now;
        if (allowed(before.decision) === allowed(now.decision)) return;
        const message = decisionMessage(await headPosition(this.#db), dw.request, before.decision, now, null);
        for (const sink of dw.sinks) sink(message);
      });
    }, delay);
    dw.expiry.unref?.();
  }

  /** The log fold of permission-replay.ts, each change's cause narrowed to the event that made it. */
  async #replay(principalArn: string, after: number, upTo: number): Promise<PermissionsChange[]> {
    const changes = await replayPermissionChanges(this.#db, principalArn, after, upTo);
    if (changes.length === 0) return changes;
    const from = Math.min(...changes.map((c) => c.cause.position)) - 1;
    const events = await readCommands(this.#db, [...new Set(changes.map((c) => c.cause.requestId))], from, changes.at(-1)!.position);
    return changes.map((c) => withExactCause(c, events));
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
   * The watches each event may touch, with the events in order. A membership or attachment
   * widens the watch's keys at once, so the next event of the same batch (a policy put on the
   * group just joined) is matched too — and counted as the separate command it is.
   */
  #affected(events: readonly StoredEvent[]): Map<PrincipalWatch, StoredEvent[]> {
    const affected = new Map<PrincipalWatch, StoredEvent[]>();
    for (const event of events) {
      const keys = eventKeys(event);
      const hit = new Set<PrincipalWatch>();
      for (const k of keys) for (const w of this.#watchIndex.get(k) ?? []) hit.add(w);
      for (const w of hit) {
        let list = affected.get(w);
        if (!list) affected.set(w, (list = []));
        list.push(event);
        if (widening.has(event.type)) for (const k of keys) this.#addKey(w, k);
      }
    }
    return affected;
  }

  /**
   * Principal watches: which ones the batch may touch, what changed for each, their decisions.
   *
   * Every event takes this path, whichever instance committed it (the feed delivers them all).
   * A change must be reported exactly — two commands never merged under the first one's cause —
   * and that needs the set as of each command. Two ways to get it, chosen per watch:
   * - the sets read now, when the log's head did not move while they were read and equals the
   *   batch's end, and a single command of the batch touched the watch: the present IS the set
   *   after that command (two cheap queries for all watches, however many — a change to a
   *   500-member group costs the same two);
   * - otherwise (this instance lags behind the head, or several commands of the batch touched
   *   the watch) the log fold of permission-replay.ts, per watch: exact at every command
   *   whatever happened since, but a few queries per principal.
   * Both diff the same effective-policy paths, and catch-ups use the fold too, so a live message
   * and a resumed one say the same thing.
   */
  async #processBatch(events: readonly StoredEvent[]): Promise<void> {
    const end = events.at(-1)!.position;
    const start = events[0]!.position - 1;
    const touched = this.#affected(events);
    const watches = [...touched.keys()].filter((w) => w.reportedTo < end && this.#watches.get(w.arn) === w);
    if (watches.length === 0) return;
    // A batch of one command whose effect follows from its events (derived-set.ts): the sets
    // are derived from the ones known, with one query for the facts, when those are at the
    // batch's end. Any other watch or batch re-reads its set.
    const facts = isDerivable(events) && events.every((e) => e.metadata.requestId === events[0]!.metadata.requestId) ? await loadSetFacts(this.#db, events) : undefined;
    const derivable = (w: PrincipalWatch) => facts !== undefined && facts.head === end && w.exact && w.knownAt <= Math.max(start, w.reportedTo);
    const reread = watches.filter((w) => !derivable(w));
    const snap = reread.length > 0 ? await this.#loadSets(reread.map((w) => w.arn)) : { sets: new Map<string, KnownSet>(), head: end, exact: true };
    const exactAtEnd = snap.exact && snap.head === end;
    const decisions: { watch: DecisionWatch; events: StoredEvent[]; fallback: StoredEvent; from: number; several: boolean }[] = [];
    for (const watch of watches) {
      const mine = touched.get(watch)!.filter((e) => e.position > watch.reportedTo);
      if (mine.length === 0) continue;
      const from = Math.max(start, watch.reportedTo);
      const derived = derivable(watch);
      const next = derived ? deriveSet(watch.known, mine, facts!) : (snap.sets.get(watch.arn) ?? absentSet);
      const commands = new Set(mine.map((e) => e.metadata.requestId));
      const changes =
        derived || (exactAtEnd && watch.exact && watch.knownAt <= from && commands.size === 1)
          ? this.#diffOne(watch, next, mine, events)
          : (await replayPermissionChanges(this.#db, watch.arn, from, end)).map((c) => withExactCause(c, events));
      for (const message of changes) for (const sink of watch.permissionSinks) sink(message);
      const later = events.filter((e) => e.position > watch.reportedTo);
      watch.reportedTo = end;
      if (derived) this.#rebase(watch, next, end, true, true);
      else this.#rebase(watch, next, snap.head, snap.exact, exactAtEnd);
      for (const dw of watch.decisions.values()) decisions.push({ watch: dw, events: later, fallback: mine.at(-1)!, from, several: commands.size > 1 });
    }
    if (decisions.length === 0) return;
    const results = await this.#decideMany(decisions.map((d) => d.watch.request));
    // The authorizer decides on the present state. When the log has moved past this batch (a
    // lagging instance, or commands committed while it was worked out) the present is not the
    // state at the batch's end, and comparing it with the batch would report a later command's
    // flip under this batch's cause, or lose it when that command's batch compares again.
    const moved = (await headPosition(this.#db)) !== end;
    for (const [i, { watch, events: batch, fallback, from, several }] of decisions.entries()) {
      const now = results[i]!;
      const before = watch.last;
      watch.last = now;
      if (before === pending) continue;
      const send = (message: DecisionChange) => {
        for (const sink of watch.sinks) sink(message);
      };
      let last = before;
      // Several commands of the batch touched the principal (each may have flipped the decision,
      // and the next undone it), or the present is past the batch: the log is replayed command by
      // command up to the batch's end (decision-replay.ts).
      if (several || moved) {
        for (const step of await replayDecisions(this.#db, watch.request, from, end)) {
          if (allowed(last.decision) !== allowed(step.result.decision)) send(decisionMessage(commandEnd(batch, step.event), watch.request, last.decision, step.result, causeOf(step.event)));
          last = step.result;
        }
      }
      if (moved) {
        // What the next batch compares with: the decision as of this batch's end.
        watch.last = last;
        continue;
      }
      if (allowed(last.decision) === allowed(now.decision)) continue;
      // The event that flipped it, not merely the first of the batch (issue 11, defect 6).
      const cause = eventFlippingDecision(batch, last, now) ?? fallback;
      send(decisionMessage(commandEnd(batch, cause), watch.request, last.decision, now, causeOf(cause)));
    }
  }

  /** The change one command made: the present set against the last one seen. */
  #diffOne(watch: PrincipalWatch, next: KnownSet, mine: readonly StoredEvent[], events: readonly StoredEvent[]): PermissionsChange[] {
    const diff = diffSets(watch.known, next);
    const existence = (watch.known.principalId !== undefined) !== (next.principalId !== undefined);
    if (isEmptyDiff(diff) && !existence) return [];
    const command = events.filter((e) => e.metadata.requestId === mine[0]!.metadata.requestId);
    const cause = eventChangingPaths(command, [...diff.entered, ...diff.left, ...diff.updated]) ?? mine[0]!;
    return [{ position: command.at(-1)!.position, principalArn: watch.arn, cause: causeOf(cause), ...diff, principalExists: next.principalId !== undefined }];
  }

  /**
   * Sets for these principals as the projection holds them now, and the head around the read:
   * `exact` when the head did not move while they were read (every append moves it, and the
   * projections commit with their events), so the sets are those at `head`.
   */
  async #loadSets(arns: readonly string[]): Promise<{ sets: Map<string, KnownSet>; head: number; exact: boolean }> {
    const head = await headPosition(this.#db);
    const sets = await loadKnownSets(this.#db, arns);
    const after = await headPosition(this.#db);
    return { sets, head, exact: head === after };
  }

  async #acquire(arn: string): Promise<PrincipalWatch> {
    let watch = this.#watches.get(arn);
    if (!watch) {
      const created: PrincipalWatch = {
        arn,
        known: absentSet,
        knownAt: 0,
        exact: false,
        reportedTo: 0,
        keys: new Set(),
        refs: 0,
        permissionSinks: new Set(),
        decisions: new Map(),
        ready: Promise.resolve(),
      };
      watch = created;
      this.#watches.set(arn, created);
      this.#watchIndex.add(arn, created);
      // Loaded in the batch queue: a batch is then either in the loaded set or processed after it.
      created.ready = new Promise((resolve, reject) =>
        this.#enqueue(async () => {
          try {
            const snap = await this.#loadSets([arn]);
            // Changes up to the head it was read at are the subscription's past (catch-up's job).
            created.reportedTo = snap.head;
            this.#rebase(created, snap.sets.get(arn) ?? absentSet, snap.head, snap.exact, true);
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

  /**
   * The set last seen becomes the baseline. Its keys replace the old ones only when the set is
   * the one at the position reported up to; otherwise batches before the set's position are
   * still to come, and a group left or a policy detached meanwhile must still match them.
   */
  #rebase(watch: PrincipalWatch, next: KnownSet, head: number, exact: boolean, exactAtReported: boolean): void {
    if (this.#watches.get(watch.arn) !== watch) return; // released meanwhile
    watch.known = next;
    watch.knownAt = head;
    watch.exact = exact;
    if (exactAtReported) {
      for (const k of watch.keys) this.#watchIndex.delete(k, watch);
      watch.keys.clear();
    }
    for (const k of knownSetKeys(next)) this.#addKey(watch, k);
    this.#watchIndex.add(watch.arn, watch);
  }

  #addKey(watch: PrincipalWatch, key: string): void {
    if (watch.keys.has(key)) return;
    watch.keys.add(key);
    this.#watchIndex.add(key, watch);
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

/** A decision watch whose first evaluation has not run yet. */
const pending = { decision: "implicitDeny", matchedStatements: [], reason: "pending", missingContextValues: [] } as unknown as EvaluationResult;

function allowed(decision: EvalDecision): boolean {
  return decision === "allowed";
}

function decisionMessage(position: number, request: AuthorizeRequest, before: EvalDecision | null, now: EvaluationResult, cause: Cause | null): DecisionChange {
  // A session's decisions name the session, as it was asked for, not the role it is watched through.
  return { position, principalArn: request.session?.assumedRoleArn ?? request.principalArn, action: request.action, resource: request.resource, before, after: now.decision, reason: now.reason, cause };
}

/** Events that can widen what a principal's set depends on (a group joined, a policy attached). */
const widening = new Set(["UserAddedToGroup", "ManagedPolicyAttached", "PermissionsBoundaryPut"]);

/** The events of these requests in (after, upTo]: the commands whose causes a catch-up narrows. */
async function readCommands(db: RawQueryable, requestIds: readonly string[], after: number, upTo: number): Promise<StoredEvent[]> {
  const rows = await db.$queryRawUnsafe<EventRow[]>(
    `SELECT ${eventColumns} FROM events WHERE position > $1 AND position <= $2 AND metadata->>'requestId' = ANY($3::text[]) ORDER BY position`,
    after,
    upTo,
    requestIds,
  );
  return rows.map(toStoredEvent);
}
