import { useEffect, useRef, useState } from "preact/hooks";
import type { ResultOf } from "../graphql/tada.js";
import type { PreviewFields } from "../graphql/mutations.js";
import { payloadOf } from "../graphql/errors.js";
import { ErrorList, errorsOf } from "./errors.js";
import type { ApiError } from "../graphql/errors.js";
import { AccessKeyImpact, type KeyImpact } from "./access-key-impact.js";

type Preview = ResultOf<typeof PreviewFields> & { accessKeyImpact?: KeyImpact | null };
type Result = { __typename: string } & Partial<Preview> & { code?: string; message?: string };

/**
 * A destructive change behind a confirm dialog that first runs the same mutation with
 * `dryRun: true` and shows its blast radius: every principal and action whose decision flips.
 */
export function ConfirmChange(props: { label: string; title: string; run(dryRun: boolean): Promise<Result>; onDone?(): void; danger?: boolean; disabled?: boolean }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const [preview, setPreview] = useState<Preview>();
  const [errors, setErrors] = useState<ApiError[]>([]);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open) return;
    dialog.current?.showModal();
    setPreview(undefined);
    setErrors([]);
    props.run(true).then(
      (r) => {
        const p = payloadOf(r);
        if (p.__typename === "ChangePreview") setPreview(p as Preview);
      },
      (err) => setErrors(errorsOf(err)),
    ).catch((err) => setErrors(errorsOf(err)));
  }, [open]);

  const close = () => {
    dialog.current?.close();
    setOpen(false);
  };
  const confirm = async () => {
    setBusy(true);
    try {
      payloadOf(await props.run(false));
      close();
      props.onDone?.();
    } catch (err) {
      setErrors(errorsOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" class={props.danger === false ? "" : "danger"} disabled={props.disabled} onClick={() => setOpen(true)}>{props.label}</button>
      <dialog ref={dialog} onClose={() => setOpen(false)} aria-labelledby="confirm-title">
        {open && (
          <div class="confirm">
            <h2 id="confirm-title">{props.title}</h2>
            <ErrorList errors={errors} />
            {!preview && errors.length === 0 && <p>Computing the blast radius (dry run)…</p>}
            {preview && <BlastRadius preview={preview} />}
            <div class="actions">
              <button type="button" onClick={close}>Cancel</button>
              <button type="button" class="danger" disabled={busy || (!preview && errors.length === 0)} onClick={() => void confirm()}>Confirm</button>
            </div>
          </div>
        )}
      </dialog>
    </>
  );
}

export function BlastRadius({ preview }: { preview: Preview }) {
  return (
    <div class="blast-radius">
      <p>
        Dry run: {preview.events.length} event(s) would be appended; {preview.principalsConsidered} principal(s) considered;{" "}
        <strong>{preview.flips.length === 0 ? "no decision flips." : `${preview.flips.length} decision(s) flip:`}</strong>
      </p>
      {preview.accessKeyImpact && <AccessKeyImpact impact={preview.accessKeyImpact} />}
      {preview.flips.length > 0 && (
        <table>
          <thead><tr><th>Principal</th><th>Action</th><th>Resource</th><th>Before</th><th>After</th></tr></thead>
          <tbody>
            {preview.flips.map((f, i) => (
              <tr key={i}><td>{f.principalArn}</td><td>{f.action}</td><td>{f.resource}</td><td class={`decision ${f.before}`}>{f.before}</td><td class={`decision ${f.after}`}>{f.after}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
