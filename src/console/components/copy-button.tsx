import { useState } from "preact/hooks";

export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => setCopied(true), () => setCopied(false));
      }}
    >
      {copied ? "Copied" : label}
    </button>
  );
}

/** A new access key: the only time its secret can be seen (CreateAccessKey returns it once). */
export function NewKey({ accessKey }: { accessKey: { accessKeyId: string; secretAccessKey: string; userName: string } }) {
  return (
    <div class="new-key" role="status">
      <p><strong>Access key created for {accessKey.userName}.</strong> This is the only time the secret access key can be seen: copy it now.</p>
      <dl>
        <dt>Access key ID</dt><dd><code class="key-id">{accessKey.accessKeyId}</code> <CopyButton text={accessKey.accessKeyId} label="Copy ID" /></dd>
        <dt>Secret access key</dt><dd><code class="key-secret">{accessKey.secretAccessKey}</code> <CopyButton text={accessKey.secretAccessKey} label="Copy secret" /></dd>
      </dl>
    </div>
  );
}
