import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export type CopyValue = string | number | boolean | null | undefined;

/** COPY's text format: backslash, tab, newline and carriage return escaped; NULL as \N. */
function encode(value: CopyValue): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value !== 'string') return String(value);
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : value;
}

/** A PostgreSQL array literal of plain words (tags): {a,b,c}. */
export function arrayLiteral(items: readonly string[]): string {
  return `{${items.map((item) => `"${item.replace(/(["\\])/g, '\\$1')}"`).join(',')}}`;
}

/** Rows kept until this many bytes are ready, then written as one chunk: far fewer stream writes. */
const CHUNK_BYTES = 256 * 1024;

/**
 * One `COPY table (columns) FROM STDIN` on its own connection. `row()` buffers; the stream's
 * back-pressure is honoured, so generating faster than PostgreSQL loads never piles rows up
 * in memory.
 */
export class CopyWriter {
  private readonly stream: Writable;
  private readonly finished: Promise<void>;
  private pending: string[] = [];
  private pendingBytes = 0;
  rows = 0;

  constructor(client: PoolClient, table: string, columns: readonly string[]) {
    this.stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
    this.finished = new Promise((resolve, reject) => {
      this.stream.on('finish', () => resolve());
      this.stream.on('error', reject);
    });
    // Surfaced by end(); without a listener an early error would crash the process.
    this.finished.catch(() => {});
  }

  async row(values: readonly CopyValue[]): Promise<void> {
    const line = `${values.map(encode).join('\t')}\n`;
    this.pending.push(line);
    this.pendingBytes += line.length;
    this.rows++;
    if (this.pendingBytes >= CHUNK_BYTES) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.pending.length) return;
    const chunk = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.stream.write(chunk)) await Promise.race([once(this.stream, 'drain'), this.finished]);
  }

  async end(): Promise<number> {
    await this.flush();
    this.stream.end();
    await this.finished;
    return this.rows;
  }
}
