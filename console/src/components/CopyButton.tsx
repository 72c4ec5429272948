import { useState } from 'react';

/** Copies a value to the clipboard and says whether it worked. */
export function CopyButton({ value, label }: { value: string; label: string }) {
  const [outcome, setOutcome] = useState<'idle' | 'copied' | 'failed'>('idle');
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setOutcome('copied');
    } catch {
      setOutcome('failed');
    }
  }
  return (
    <>
      <button type="button" onClick={copy} aria-label={label}>
        Copy
      </button>
      <span role="status" className="muted">
        {outcome === 'copied' ? 'Copied.' : outcome === 'failed' ? 'Copying failed: select the text and copy it by hand.' : ''}
      </span>
    </>
  );
}
