/** What a dry-run deleteAccessKey says stops (ChangePreview.accessKeyImpact). */
export interface KeyImpact {
  readonly accessKeyId: string;
  readonly userName: string;
  readonly status: string;
  readonly lastUsedDate: string | null;
  readonly signedRequestsStop: boolean;
  readonly allowedActions: readonly string[];
  readonly otherActiveKeys: readonly string[];
}

/**
 * Deleting a key takes no permission away from its user, so no decision flips; what stops is
 * every request signed with the key. This says so, with what those requests can do now, when the
 * key was last used (something still using it breaks) and which of the user's keys keep working.
 */
export function AccessKeyImpact({ impact }: { impact: KeyImpact }) {
  return (
    <div class="key-impact">
      {impact.signedRequestsStop ? (
        <p>
          <strong>Every request signed with {impact.accessKeyId} would be refused</strong> (InvalidClientTokenId).{" "}
          {impact.lastUsedDate ? `It was last used ${new Date(impact.lastUsedDate).toLocaleString()}: whatever used it stops working.` : "It has never been used."}
        </p>
      ) : (
        <p>The key is Inactive: requests signed with it are refused already, so nothing that works now stops.</p>
      )}
      {impact.allowedActions.length > 0 && (
        <>
          <p>What those requests can do now ({impact.userName}'s policies allow, on *):</p>
          <ul class="allowed-actions">{impact.allowedActions.map((a) => <li key={a}><code>{a}</code></li>)}</ul>
        </>
      )}
      <p>
        {impact.userName} keeps every permission
        {impact.otherActiveKeys.length > 0 ? <>; their other active key {impact.otherActiveKeys.map((k) => <code key={k}>{k}</code>)} keeps working.</> : "; they have no other active key."}
      </p>
    </div>
  );
}
