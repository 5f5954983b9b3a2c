import type { QuotaAllowance } from "./quotas.js";

/**
 * What a command carries besides its arguments. Time, new ids and the actor come in here so
 * deciders stay deterministic: replaying the same command with the same metadata gives the
 * same events. `pastQuotas` (QuotaAllowance) is set for snapshot imports only (quotas.ts).
 */
export interface CommandMetadata extends QuotaAllowance {
  readonly accountId: string;
  readonly now: Date;
  /** A fresh unique id, used only by commands that create an entity. */
  readonly newId: string;
  readonly actor: string;
  readonly accessKeyId?: string;
  readonly requestId: string;
  readonly correlationId: string;
  readonly causationId?: string;
}
