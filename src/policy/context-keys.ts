// GetContextKeysForPrincipalPolicy / GetContextKeysForCustomPolicy: the context keys a set of
// policies reads — every Condition key, and every policy variable (`${aws:username}`) in
// Resource, NotResource and condition values. AWS lists each key once, as first written, in the
// order the documents use them (its CLI example answers ["aws:username", "aws:CurrentTime"] for a
// Resource variable followed by a condition); keys are case-insensitive, so so is "once".

import type { PolicyDocument, PolicyStatement } from "./document.js";
import { parseTemplate } from "./variables.js";

export function contextKeysOf(documents: readonly PolicyDocument[]): string[] {
  const seen = new Map<string, string>();
  const add = (key: string) => {
    const lower = key.toLowerCase();
    if (!seen.has(lower)) seen.set(lower, key);
  };
  for (const document of documents) {
    for (const statement of document.statements) {
      for (const text of resourcesOf(statement)) variablesIn(text, document, add);
      for (const clause of statement.conditions) {
        add(clause.key);
        for (const value of clause.values) variablesIn(value, document, add);
      }
    }
  }
  return [...seen.values()];
}

function resourcesOf(statement: PolicyStatement): readonly string[] {
  return statement.resource ?? statement.notResource ?? [];
}

/** Variables exist only in 2012-10-17 documents (parseTemplate reads 2008-10-17 text as literal). */
function variablesIn(text: string, document: PolicyDocument, add: (key: string) => void): void {
  for (const part of parseTemplate(text, document.version).parts) if (part.kind === "variable") add(part.key);
}
