import { DomainError, type ErrorCode } from "../domain/shared/domain-error.js";

/** One bad element of a snapshot file, named by its JSON path. */
export interface SnapshotProblem {
  readonly path: string;
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * A snapshot refused whole: nothing of it is written. Every problem found is listed (a file with
 * ten over-quota users names all ten); the error's code is the first problem's.
 */
export class SnapshotRejected extends DomainError {
  constructor(readonly problems: readonly SnapshotProblem[]) {
    const shown = problems.slice(0, 20).map((p) => `${p.path}: ${p.message}`);
    const more = problems.length > 20 ? [`… and ${problems.length - 20} more`] : [];
    super(problems[0]!.code, `The snapshot was refused (nothing was imported):\n${[...shown, ...more].join("\n")}`);
  }
}
