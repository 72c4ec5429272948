import { useState } from 'react';

/** A button for what cannot be undone: the first press asks, the second does it (no modal dialog to trap focus). */
export function ConfirmButton(props: { label: string; accessibleLabel: string; confirmLabel: string; pending: boolean; onConfirm: () => void }) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button type="button" className="secondary" onClick={() => setConfirming(true)} aria-label={props.accessibleLabel}>
        {props.label}
      </button>
    );
  }
  return (
    <span className="actions">
      <button type="button" className="danger" onClick={props.onConfirm} disabled={props.pending} autoFocus>
        {props.confirmLabel}
      </button>
      <button type="button" className="secondary" onClick={() => setConfirming(false)}>
        Cancel
      </button>
    </span>
  );
}
