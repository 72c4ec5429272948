import type { ReactNode } from 'react';

export type Column = string | { label: string; numeric: true };

/** A table that scrolls sideways on narrow screens; `children` are its body rows. */
export function DataTable({ columns, caption, label, compact, children }: {
  columns: Column[];
  /** A visible title, which also names the table for assistive technology. */
  caption?: string;
  /** The table's name when it has no caption. */
  label?: string;
  /** Few, short columns: let it shrink to a phone's width instead of scrolling. */
  compact?: boolean;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table aria-label={caption ? undefined : label} className={compact ? 'compact' : undefined}>
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>
            {columns.map((column) =>
              typeof column === 'string' ? (
                <th scope="col" key={column}>
                  {column}
                </th>
              ) : (
                <th scope="col" key={column.label} className="num">
                  {column.label}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
