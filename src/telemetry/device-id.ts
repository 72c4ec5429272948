import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';

const GENERATED_KEY_FILE = 'device-id-hash-key';

/**
 * The HMAC key for device ids: DEVICE_ID_HASH_KEY, or outside production a random key generated
 * once and kept in DATA_DIR, so hashes (and unique-device counts) stay stable across restarts.
 * Production refuses to guess: a lost or regenerated key would split every device in two.
 */
export function loadDeviceIdHashKey(config: Pick<Config, 'isProduction' | 'dataDir' | 'telemetry'>): Buffer {
  const configured = config.telemetry.deviceIdHashKey;
  if (configured) return Buffer.from(configured, 'utf8');
  if (config.isProduction) {
    throw new Error(
      'DEVICE_ID_HASH_KEY must be set when NODE_ENV=production: device ids are stored only as HMAC-SHA256 ' +
        'under this key, so it must be stable and secret. Generate one with `openssl rand -hex 32` and never change it.',
    );
  }
  const file = path.join(config.dataDir, GENERATED_KEY_FILE);
  fs.mkdirSync(config.dataDir, { recursive: true });
  try {
    // 'wx' fails if another process created the key first; then everyone reads that one.
    fs.writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'utf8');
}

/** Devices whose hash is kept in memory; past this the memo starts over (cheaper than LRU bookkeeping). */
const MEMO_SIZE = 50_000;

/** Replaces raw device identifiers by their keyed hash (64 hex characters) before anything is stored. */
export class DeviceIdHasher {
  private key: Buffer | undefined;
  /** A device sends event after event, and an HMAC costs more than all the rest of an event's validation. */
  private readonly memo = new Map<string, string>();

  constructor(private readonly config: Pick<Config, 'isProduction' | 'dataDir' | 'telemetry'>) {}

  /** The key is resolved on first use, so processes that never ingest (CLI commands, tests) need none. */
  hash(rawDeviceId: string): string {
    let hash = this.memo.get(rawDeviceId);
    if (hash === undefined) {
      this.key ??= loadDeviceIdHashKey(this.config);
      hash = createHmac('sha256', this.key).update(rawDeviceId, 'utf8').digest('hex');
      if (this.memo.size >= MEMO_SIZE) this.memo.clear();
      this.memo.set(rawDeviceId, hash);
    }
    return hash;
  }
}
