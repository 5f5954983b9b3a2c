/**
 * Principal ARNs that named no user or role when last looked up, so a caller asking about them
 * again is answered from memory instead of the database (an unknown ARN would otherwise be a
 * cheap way to load it). An entry lasts until an event names that ARN as created or renamed-to
 * — the only ways an ARN starts to exist — which every instance sees, since each follows the log.
 * Bounded: the oldest entries go first.
 */
export class AbsentPrincipals {
  readonly #arns = new Set<string>();

  constructor(private readonly max: number) {}

  has(arn: string): boolean {
    return this.#arns.has(arn);
  }

  add(arn: string): void {
    if (this.#arns.size >= this.max) this.#arns.delete(this.#arns.values().next().value!);
    this.#arns.add(arn);
  }

  /**
   * Forgets the ARNs an event brings into existence: UserCreated/RoleCreated carry `arn`,
   * UserUpdated (rename or new path) `newArn`. Checked by field rather than by type so a future
   * creating event with the same field names is covered too.
   */
  forget(event: { readonly data: unknown }): void {
    if (this.#arns.size === 0) return;
    const d = event.data as Record<string, unknown>;
    for (const field of ["arn", "newArn"]) {
      const v = d[field];
      if (typeof v === "string") this.#arns.delete(v);
    }
  }

  clear(): void {
    this.#arns.clear();
  }
}
