// The per-service summary of a principal's effective actions: how many of each access level's
// actions it may perform, of how many the service has (AWS's "Full access" / "Limited" reading
// of a policy summary), and how many of those always, without conditions or partial denies.

import type { EffectiveAction } from "./effective-actions.js";
import { actionIndex } from "./action-index.js";
import { ACCESS_LEVELS, type AccessLevel, type ServiceReference } from "./service-reference.js";

const NO_TOTALS: ReadonlyMap<AccessLevel, number> = new Map();

export interface AccessLevelSummary {
  readonly accessLevel: AccessLevel;
  /** Actions of this level the principal may perform (on some resource, under some conditions). */
  readonly allowed: number;
  /** Of those, the ones allowed with no condition, boundary confinement or denial. */
  readonly unconditional: number;
  /** Actions of this level the service has. */
  readonly total: number;
}

export interface ServiceSummary {
  readonly service: string;
  readonly serviceName: string;
  readonly levels: readonly AccessLevelSummary[];
}

/** Services in order of their prefix; each with every access level it has, even those with none allowed. */
export function summarizeByService(reference: ServiceReference, actions: readonly EffectiveAction[]): ServiceSummary[] {
  const counted = new Map<string, Map<AccessLevel, { allowed: number; unconditional: number }>>();
  for (const a of actions) {
    let levels = counted.get(a.service);
    if (levels === undefined) counted.set(a.service, (levels = new Map()));
    const c = levels.get(a.accessLevel) ?? { allowed: 0, unconditional: 0 };
    c.allowed++;
    if (a.unconditional) c.unconditional++;
    levels.set(a.accessLevel, c);
  }
  return [...counted]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([service, levels]) => {
      const total = actionIndex(reference).levelTotals.get(service) ?? NO_TOTALS;
      return {
        service,
        serviceName: reference.services.get(service)?.name ?? service,
        levels: ACCESS_LEVELS.filter((l) => (total.get(l) ?? 0) > 0).map((accessLevel) => ({
          accessLevel,
          allowed: levels.get(accessLevel)?.allowed ?? 0,
          unconditional: levels.get(accessLevel)?.unconditional ?? 0,
          total: total.get(accessLevel) ?? 0,
        })),
      };
    });
}
