import type { Finding } from "./policy-editor.js";

/** validatePolicy's findings as a list, each with the line and column it names. */
export function Findings({ findings }: { findings: Finding[] }) {
  return (
    <div class="findings" aria-live="polite">
      {findings.length === 0 ? (
        <p class="clean">No findings.</p>
      ) : (
        <ul>
          {findings.map((f, i) => {
            const at = f.locations[0]?.span?.start;
            return (
              <li key={i} class={`finding ${f.findingType.toLowerCase()}`} data-line={at?.line}>
                <strong>{f.findingType}</strong> <code>{f.issueCode}</code>{at ? ` at line ${at.line}, column ${at.column}` : ""}: {f.findingDetails}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
