import { type InputHTMLAttributes, type ReactNode, type TextareaHTMLAttributes, useId } from 'react';
import { describeProblem } from '../api/mosis';

interface FieldProps {
  label: string;
  /** The input's name, which is also the GraphQL input field a server error may name. */
  name: string;
  /** The failed request, if any: its message is shown here when it names this field. */
  error?: unknown;
  hint?: ReactNode;
}

function fieldProblem(error: unknown, name: string): string | null {
  if (!error) return null;
  const problem = describeProblem(error);
  return problem.field === name ? problem.message : null;
}

/** A labelled control; the hint and any error about it are tied to it with aria-describedby. */
function FieldFrame({ label, name, error, hint, children }: FieldProps & { children: (a11y: Record<string, unknown>) => ReactNode }) {
  const id = useId();
  const problem = fieldProblem(error, name);
  const describedBy = [hint ? `${id}-hint` : null, problem ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, name, 'aria-describedby': describedBy, 'aria-invalid': problem ? true : undefined })}
      {hint && <p className="hint" id={`${id}-hint`}>{hint}</p>}
      {problem && <p className="field-error" id={`${id}-error`}>{problem}</p>}
    </div>
  );
}

export function TextField(props: FieldProps & Omit<InputHTMLAttributes<HTMLInputElement>, 'name'>) {
  const { label, name, error, hint, ...input } = props;
  return <FieldFrame {...{ label, name, error, hint }}>{(a11y) => <input type="text" {...input} {...a11y} />}</FieldFrame>;
}

export function TextAreaField(props: FieldProps & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'name'>) {
  const { label, name, error, hint, ...textarea } = props;
  return <FieldFrame {...{ label, name, error, hint }}>{(a11y) => <textarea rows={4} {...textarea} {...a11y} />}</FieldFrame>;
}

/**
 * The outcome of a form's last request, announced to screen readers. A problem with a field is
 * repeated beside that field; this line says which one, so the person knows where to look.
 */
export function FormProblem({ error, labels = {} }: { error: unknown; labels?: Record<string, string> }) {
  if (!error) return null;
  const problem = describeProblem(error);
  const where = problem.field ? `${labels[problem.field] ?? problem.field}: ` : '';
  return (
    <p className="form-problem" role="alert">
      {where}
      {problem.message}
    </p>
  );
}

/** Comma- or newline-separated text as a list, blanks dropped. */
export function splitList(text: string): string[] {
  return text.split(/[,\n]/).map((item) => item.trim()).filter((item) => item.length > 0);
}
