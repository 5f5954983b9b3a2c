import { currentSchemaVersion } from "../../events/catalogue.js";
import { DomainError } from "../domain/shared/domain-error.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { EventMetadata, ExpectedVersion, StoredEvent, StreamAppend } from "./stored-event.js";

/** A transaction, or the client itself: a single call is atomic on its own (autocommit). */
export type Queryable = Pick<Prisma.TransactionClient, "$queryRawUnsafe">;

/** One caller's append: all of its streams or none of them. */
export interface AppendJob {
  readonly appends: readonly StreamAppend[];
  readonly metadata: EventMetadata;
  readonly occurredAt: Date;
}

export type AppendOutcome = { readonly ok: true; readonly events: StoredEvent[] } | { readonly ok: false; readonly error: DomainError };

/**
 * Appends events to one or more streams, all or nothing. A stream whose version is not the
 * expected one fails the append with ConcurrentModification and writes nothing; a transaction
 * it runs in stays usable. Inside a transaction the write lock is held to its commit; called on
 * the client, the one statement is its own transaction.
 */
export async function appendToStreams(q: Queryable, appends: readonly StreamAppend[], metadata: EventMetadata, occurredAt: Date): Promise<StoredEvent[]> {
  const [outcome] = await appendBatch(q, [{ appends, metadata, occurredAt }]);
  if (!outcome!.ok) throw outcome!.error;
  return outcome!.events;
}

/**
 * Several callers' appends in ONE statement (group-commit.ts coalesces queued appends this
 * way): taken in order, each checked against the log as the ones before it left it; a refused
 * job writes nothing and the others go on. One round trip: the lock, the version checks and the
 * INSERT are the `append_events` function (migration 20261201600000) — the one INSERT into
 * the log. An error other than a refusal rejects the whole call and writes nothing.
 */
export async function appendBatch(q: Queryable, jobs: readonly AppendJob[]): Promise<AppendOutcome[]> {
  const call = new AppendCall();
  const staged: { job: number; event: Omit<StoredEvent, "position" | "streamVersion"> }[] = [];
  const expectations: Map<string, ExpectedVersion>[] = [];
  jobs.forEach((job, j) => {
    const expected = new Map<string, ExpectedVersion>();
    const seen = new Set<string>();
    const metadata = JSON.stringify(job.metadata);
    const occurredAt = job.occurredAt.toISOString();
    for (const append of job.appends) {
      if (append.events.length === 0) continue;
      // The first append to a stream in a job states what it expects; later ones continue it.
      if (!seen.has(append.streamId) && append.expectedVersion !== "any") {
        const version = append.expectedVersion === "noStream" ? 0 : append.expectedVersion;
        expected.set(append.streamId, append.expectedVersion);
        call.guard(j, append.streamId, version);
      }
      seen.add(append.streamId);
      for (const event of append.events) {
        const schemaVersion = currentSchemaVersion(event.type);
        call.event(j, append.streamId, event.type, schemaVersion, JSON.stringify(event.data), metadata, occurredAt);
        staged.push({ job: j, event: { ...event, streamId: append.streamId, schemaVersion, metadata: job.metadata, occurredAt: job.occurredAt } as Omit<StoredEvent, "position" | "streamVersion"> });
      }
    }
    expectations.push(expected);
  });

  const outcomes: AppendOutcome[] = jobs.map(() => ({ ok: true, events: [] }));
  if (staged.length === 0) return outcomes;
  for (const r of await call.run(q)) {
    if (r.refused_stream !== null) {
      const expected = expectations[r.job]!.get(r.refused_stream)!;
      outcomes[r.job] = {
        ok: false,
        error: new DomainError(
          "ConcurrentModification",
          `Stream ${r.refused_stream} is at version ${r.actual_version}, expected ${expected === "noStream" ? "no stream" : expected}. Another request changed it; retry.`,
        ),
      };
      continue;
    }
    const { job, event } = staged[Number(r.ord) - 1]!;
    const outcome = outcomes[job]!;
    if (outcome.ok) outcome.events.push({ ...event, position: Number(r.event_position), streamVersion: Number(r.event_version) } as StoredEvent);
  }
  return outcomes;
}

/** An event exactly as stored elsewhere (a log file): its position and schema version kept. */
export interface StoredEventRow {
  readonly position: number;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  readonly occurredAt: string;
}

/**
 * Writes events that already have positions and schema versions (the log import), through the
 * same statement as every append: each stream must be at the version before its first row here,
 * so the rows continue what is stored, and the position sequence moves past the highest row.
 */
export async function insertStoredEvents(q: Queryable, rows: readonly StoredEventRow[]): Promise<void> {
  const call = new AppendCall();
  const seen = new Set<string>();
  for (const r of rows) {
    if (!seen.has(r.streamId)) call.guard(0, r.streamId, r.streamVersion - 1);
    seen.add(r.streamId);
    call.event(0, r.streamId, r.type, r.schemaVersion, JSON.stringify(r.data), JSON.stringify(r.metadata), r.occurredAt, r.position);
  }
  if (rows.length === 0) return;
  const refused = (await call.run(q)).find((r) => r.refused_stream !== null);
  if (refused) throw new DomainError("ConcurrentModification", `Stream ${refused.refused_stream} is at version ${refused.actual_version}, not where the imported events continue it.`);
}

interface AppendRow {
  readonly job: number;
  readonly ord: bigint | number | null;
  readonly event_position: bigint | number | null;
  readonly event_version: number | null;
  readonly refused_stream: string | null;
  readonly actual_version: number | null;
}

/** The arguments of one `append_events` call, column by column. */
class AppendCall {
  readonly #job: number[] = [];
  readonly #stream: string[] = [];
  readonly #type: string[] = [];
  readonly #schemaVersion: number[] = [];
  readonly #data: string[] = [];
  readonly #metadata: string[] = [];
  readonly #occurredAt: string[] = [];
  readonly #position: number[] = [];
  readonly #guardJob: number[] = [];
  readonly #guardStream: string[] = [];
  readonly #guardExpected: number[] = [];

  event(job: number, stream: string, type: string, schemaVersion: number, data: string, metadata: string, occurredAt: string, position?: number): void {
    this.#job.push(job);
    this.#stream.push(stream);
    this.#type.push(type);
    this.#schemaVersion.push(schemaVersion);
    this.#data.push(data);
    this.#metadata.push(metadata);
    this.#occurredAt.push(occurredAt);
    if (position !== undefined) this.#position.push(position);
  }

  guard(job: number, stream: string, expected: number): void {
    this.#guardJob.push(job);
    this.#guardStream.push(stream);
    this.#guardExpected.push(expected);
  }

  run(q: Queryable): Promise<AppendRow[]> {
    if (this.#position.length !== 0 && this.#position.length !== this.#job.length) throw new Error("append_events: positions for some rows but not all");
    return q.$queryRawUnsafe<AppendRow[]>(
      `SELECT job, ord, event_position, event_version, refused_stream, actual_version
         FROM append_events($1::int[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::int[], $10::text[], $11::int[])`,
      this.#job,
      this.#stream,
      this.#type,
      this.#schemaVersion,
      this.#data,
      this.#metadata,
      this.#occurredAt,
      this.#position,
      this.#guardJob,
      this.#guardStream,
      this.#guardExpected,
    );
  }
}
