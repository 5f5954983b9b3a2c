import { useEffect, useRef } from "preact/hooks";
import { basicSetup, EditorView } from "codemirror";
import { json } from "@codemirror/lang-json";
import { linter, lintGutter, type Diagnostic } from "@codemirror/lint";
import type { ApiClient } from "../graphql/client.js";
import { graphql, type ResultOf } from "../graphql/tada.js";

export const ValidatePolicy = graphql(`
  query ValidatePolicy($policyDocument: String!, $policyType: ValidatePolicyType) {
    validatePolicy(policyDocument: $policyDocument, policyType: $policyType) {
      findingType issueCode findingDetails
      locations { path span { start { line column offset } end { line column offset } } }
    }
  }
`);
export type Finding = ResultOf<typeof ValidatePolicy>["validatePolicy"][number];

const severity = { ERROR: "error", SECURITY_WARNING: "warning", WARNING: "warning", SUGGESTION: "info" } as const;

/** Access Analyzer findings as CodeMirror diagnostics, at the span each names. */
function diagnosticsOf(findings: readonly Finding[], length: number): Diagnostic[] {
  return findings.map((f) => {
    const span = f.locations[0]?.span;
    const from = Math.min(span?.start.offset ?? 0, length);
    const to = Math.min(Math.max(span?.end.offset ?? from, from + 1), length);
    return { from, to: Math.max(to, from), severity: severity[f.findingType], source: f.issueCode, message: f.findingDetails };
  });
}

/**
 * CodeMirror 6 with JSON highlighting, checked as you type by the server's `validatePolicy`
 * (the same validator every write uses), findings marked where they are.
 */
export function PolicyEditor(props: { client: ApiClient; value: string; onChange(text: string): void; onFindings(f: Finding[]): void; label: string; policyType?: "IDENTITY_POLICY" | "TRUST_POLICY" }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const callbacks = useRef(props);
  callbacks.current = props;

  useEffect(() => {
    const validate = linter(
      async (v) => {
        const text = v.state.doc.toString();
        const { data } = await callbacks.current.client.send(ValidatePolicy, { policyDocument: text, policyType: callbacks.current.policyType ?? "IDENTITY_POLICY" });
        const findings = data?.validatePolicy ?? [];
        callbacks.current.onFindings(findings);
        return diagnosticsOf(findings, text.length);
      },
      { delay: 300 },
    );
    // In a shadow root CodeMirror styles itself with constructable stylesheets; in the document
    // it would add <style> elements, which the console's CSP (style-src 'self') refuses.
    const shadow = host.current!.shadowRoot ?? host.current!.attachShadow({ mode: "open" });
    view.current = new EditorView({
      doc: props.value,
      root: shadow,
      parent: shadow,
      extensions: [
        EditorView.theme({ "&": { maxHeight: "32rem", minHeight: "16rem", fontSize: "0.9rem" }, ".cm-scroller": { overflow: "auto" } }),
        basicSetup,
        json(),
        lintGutter(),
        validate,
        EditorView.contentAttributes.of({ "aria-label": props.label }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) callbacks.current.onChange(u.state.doc.toString());
        }),
      ],
    });
    return () => view.current?.destroy();
  }, []);

  // Text set from outside (the statement builder, a loaded version) replaces the document.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== props.value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: props.value } });
  }, [props.value]);

  return <div class="code-editor" ref={host} />;
}
