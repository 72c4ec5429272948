import type { DataSource, EntityManager } from 'typeorm';
import type { App } from '../apps/app.entity';
import { recordAudit } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { queryRows } from '../db/sql';
import { badInput } from '../graphql/errors';
import type { AppVersion } from '../versions/app-version.entity';
import type { AppVersionService } from '../versions/app-version.service';
import { VERSION_COLUMNS } from '../versions/version-sql';
import { recordEvent } from '../webhooks/outbox';
import { deviceBucketSql, offeredToDeviceSql, PHASES, RolloutState } from './rollout-rule';
import { rolloutOf, versionEventData } from './rollout.types';

export interface RolloutOptions {
  rolloutPercentage?: number | null;
  phased?: boolean | null;
  haltBelowCrashFreeRate?: number | null;
}

type RolloutAction =
  | 'rollout.start' | 'rollout.update' | 'rollout.pause' | 'rollout.resume' | 'rollout.halt' | 'rollout.complete'
  | 'rollout.phase' | 'rollout.auto_halt';

/** Who changed a rollout: a developer (with the request's IP), or the server's own upkeep. */
export interface RolloutActor {
  developerId: string | null;
  ip: string | null;
}

const SERVER: RolloutActor = { developerId: null, ip: null };
/** Fewer active devices than this say too little about a version's crash-free rate to halt it. */
const MIN_DEVICES_FOR_HALT = 50;

/** Rollout fields of a publish, checked: (percentage, phased, halt threshold). */
function rolloutPlan(options: RolloutOptions): { percentage: number; phased: boolean; haltBelow: number | null } {
  const phased = options.phased === true;
  const requested = options.rolloutPercentage;
  if (phased && requested != null) {
    throw badInput('rolloutPercentage', 'a phased rollout starts at 1% and steps up by itself; leave rolloutPercentage out');
  }
  if (requested != null && !(requested > 0 && requested <= 100)) {
    throw badInput('rolloutPercentage', `must be above 0 and at most 100, got ${requested}`);
  }
  const haltBelow = options.haltBelowCrashFreeRate ?? null;
  if (haltBelow !== null && !(haltBelow >= 0 && haltBelow <= 1)) {
    throw badInput('haltBelowCrashFreeRate', `is a crash-free rate between 0 and 1 (0.99 = 99% of devices crash-free), got ${haltBelow}`);
  }
  const percentage = phased ? PHASES[0] : requested ?? 100;
  if (haltBelow !== null && percentage === 100) {
    throw badInput('haltBelowCrashFreeRate', 'only a staged rollout (rolloutPercentage below 100, or phased) can halt itself');
  }
  return { percentage, phased, haltBelow };
}

/**
 * Staged rollouts of published versions: starting one when a version is published, the owner's
 * changes (update, pause, resume, halt, complete), the phased schedule, and which version a given
 * device is offered. Every change is audited (targetType app_version) in its own transaction.
 */
export class RolloutService {
  constructor(
    private readonly db: DataSource,
    private readonly versions: AppVersionService,
    private readonly options: { phaseIntervalSeconds: number },
  ) {}

  /** publishVersion: the review transition, then the rollout it starts, and older rollouts superseded. */
  publish(principal: Principal, id: string, options: RolloutOptions, ip: string | null): Promise<AppVersion> {
    const actor = { developerId: principal.developerId, ip };
    return this.versions.transition(principal, id, 'publish', null, ip, async (manager, published, app) => {
      const plan = rolloutPlan(options);
      // A full publish is what the transition already did (and audited as version.publish).
      if (plan.percentage === 100) {
        await this.supersedeOlder(manager, actor, app, published);
        return published;
      }
      const [version] = await queryRows<AppVersion>(
        manager,
        `UPDATE app_versions
            SET rollout_percentage = $2::float8, rollout_state = 'active', rollout_phased = $3::boolean, rollout_halt_below = $4::float8,
                rollout_next_step_at = CASE WHEN $3::boolean THEN now() + make_interval(secs => $5::float8) END
          WHERE id = $1 RETURNING ${VERSION_COLUMNS('app_versions')}`,
        [id, plan.percentage, plan.phased, plan.haltBelow, this.options.phaseIntervalSeconds],
      );
      await this.recordChange(manager, actor, 'rollout.start', version);
      await this.supersedeOlder(manager, actor, app, version);
      return version;
    });
  }

  /** Publishing a newer version halts the older rollouts still in progress. */
  private async supersedeOlder(manager: EntityManager, actor: RolloutActor, app: App, newer: AppVersion): Promise<void> {
    const halted = await queryRows<AppVersion>(
      manager,
      `UPDATE app_versions
          SET rollout_state = 'halted', rollout_halted_reason = $3::text, rollout_next_step_at = NULL,
              rollout_updated_at = now(), updated_at = now()
        WHERE app_id = $1 AND version_code < $2::int AND rollout_state IN ('active', 'paused')
        RETURNING ${VERSION_COLUMNS('app_versions')}`,
      [app.id, newer.versionCode, `superseded by ${newer.versionName}`],
    );
    for (const version of halted) await this.recordChange(manager, actor, 'rollout.halt', version);
  }

  /** updateRollout: only upward, at most 100; 100 completes it. */
  update(principal: Principal, versionId: string, percentage: number, ip: string | null): Promise<AppVersion> {
    return this.change(principal, versionId, ip, 'rollout.update', (version) => {
      if (!(percentage > version.rolloutPercentage! && percentage <= 100)) {
        throw badInput('percentage', `must be above the current ${version.rolloutPercentage}% and at most 100, got ${percentage}`);
      }
      return {
        set: `rollout_percentage = $2::float8, rollout_state = CASE WHEN $2::float8 >= 100 THEN 'complete' ELSE rollout_state END,
              rollout_next_step_at = CASE WHEN $2::float8 >= 100 THEN NULL ELSE rollout_next_step_at END`,
        params: [percentage],
      };
    });
  }

  pause(principal: Principal, versionId: string, ip: string | null): Promise<AppVersion> {
    return this.change(principal, versionId, ip, 'rollout.pause', (version) => {
      if (version.rolloutState === RolloutState.PAUSED) throw badInput('versionId', 'the rollout is already PAUSED');
      return { set: `rollout_state = 'paused', rollout_next_step_at = NULL`, params: [] };
    });
  }

  /** A phased rollout resumes with a whole phase interval before its next step. */
  resume(principal: Principal, versionId: string, ip: string | null): Promise<AppVersion> {
    return this.change(principal, versionId, ip, 'rollout.resume', (version) => {
      if (version.rolloutState !== RolloutState.PAUSED) throw badInput('versionId', 'only a PAUSED rollout can be resumed');
      return {
        set: `rollout_state = 'active',
              rollout_next_step_at = CASE WHEN rollout_phased THEN now() + make_interval(secs => $2::float8) END`,
        params: [this.options.phaseIntervalSeconds],
      };
    });
  }

  halt(principal: Principal, versionId: string, reason: string, ip: string | null): Promise<AppVersion> {
    return this.change(principal, versionId, ip, 'rollout.halt', () => {
      const trimmed = reason.trim();
      if (!trimmed) throw badInput('reason', 'say why the rollout is halted');
      return { set: `rollout_state = 'halted', rollout_halted_reason = $2::text, rollout_next_step_at = NULL`, params: [trimmed] };
    });
  }

  complete(principal: Principal, versionId: string, ip: string | null): Promise<AppVersion> {
    return this.change(principal, versionId, ip, 'rollout.complete', () => ({
      set: `rollout_percentage = 100, rollout_state = 'complete', rollout_next_step_at = NULL`,
      params: [],
    }));
  }

  /**
   * The frame of every owner's change: lock, authorize (owner), refuse versions without a rollout
   * in progress, let `plan` validate and say what to set, update, audit.
   */
  private change(
    principal: Principal,
    versionId: string,
    ip: string | null,
    action: RolloutAction,
    plan: (version: AppVersion) => { set: string; params: unknown[] },
  ): Promise<AppVersion> {
    return this.db.transaction(async (manager) => {
      const { version } = await this.versions.lockOwnVersion(manager, principal, versionId);
      if (!version.rolloutState) throw badInput('versionId', `the version is ${version.status.toUpperCase()}; only published versions have a rollout`);
      if (version.rolloutState === RolloutState.HALTED || version.rolloutState === RolloutState.COMPLETE) {
        throw badInput('versionId', `the rollout is ${version.rolloutState.toUpperCase()}; only ACTIVE or PAUSED rollouts can change`);
      }
      const { set, params } = plan(version);
      const [changed] = await queryRows<AppVersion>(
        manager,
        `UPDATE app_versions SET ${set}, rollout_updated_at = now(), updated_at = now()
          WHERE id = $1 RETURNING ${VERSION_COLUMNS('app_versions')}`,
        [versionId, ...params],
      );
      await this.recordChange(manager, { developerId: principal.developerId, ip }, action, changed);
      return changed;
    });
  }

  /**
   * The phased schedule: every ACTIVE phased rollout whose step is due moves to its next phase
   * (100 completes it), one step per run. Safe with several server processes: due rows are claimed
   * with FOR UPDATE SKIP LOCKED, and a row claimed after another process stepped it is re-checked
   * against its new rollout_next_step_at and left alone. Returns the versions stepped.
   */
  async advancePhases(): Promise<AppVersion[]> {
    return this.db.transaction(async (manager) => {
      const stepped = await queryRows<AppVersion>(
        manager,
        `WITH due AS (
           SELECT id FROM app_versions
            WHERE rollout_state = 'active' AND rollout_phased AND rollout_next_step_at <= now()
            ORDER BY rollout_next_step_at LIMIT 100
            FOR UPDATE SKIP LOCKED
         ), stepped AS (
           SELECT d.id, (SELECT min(p) FROM unnest($1::float8[]) AS p WHERE p > v.rollout_percentage) AS next
             FROM due d JOIN app_versions v ON v.id = d.id
         )
         UPDATE app_versions v
            SET rollout_percentage = coalesce(s.next, 100),
                rollout_state = CASE WHEN coalesce(s.next, 100) >= 100 THEN 'complete' ELSE 'active' END,
                rollout_next_step_at = CASE WHEN coalesce(s.next, 100) >= 100 THEN NULL ELSE now() + make_interval(secs => $2::float8) END,
                rollout_updated_at = now(), updated_at = now()
           FROM stepped s WHERE v.id = s.id
         RETURNING ${VERSION_COLUMNS('v')}`,
        [PHASES, this.options.phaseIntervalSeconds],
      );
      for (const version of stepped) await this.recordChange(manager, SERVER, 'rollout.phase', version);
      return stepped;
    });
  }

  /**
   * Automatic halts: every ACTIVE or PAUSED rollout with a crash-free threshold whose version's
   * crash-free rate, over its distinct devices since the UTC day the rollout started, is below the
   * threshold with at least MIN_DEVICES_FOR_HALT active devices, is HALTED with the measured rate
   * as its reason. The halt is a conditional UPDATE, so with several server processes only one
   * halts (and audits) it. Returns the versions halted.
   */
  async haltUnhealthy(): Promise<AppVersion[]> {
    const unhealthy: { id: string; active: number; crashed: number; since: string; threshold: number }[] = await this.db.query(
      `SELECT v.id, h.active, h.crashed, to_char(h.since, 'YYYY-MM-DD') AS since, v.rollout_halt_below AS threshold
         FROM app_versions v
        CROSS JOIN LATERAL (
          SELECT (v.rollout_started_at AT TIME ZONE 'UTC')::date AS since,
                 count(DISTINCT d.device_hash)::int AS active,
                 (count(DISTINCT d.device_hash) FILTER (WHERE d.crashed))::int AS crashed
            FROM version_daily_devices d
           WHERE d.app_id = v.app_id AND d.app_version = v.version_name AND d.date >= (v.rollout_started_at AT TIME ZONE 'UTC')::date
        ) h
        WHERE v.rollout_state IN ('active', 'paused') AND v.rollout_halt_below IS NOT NULL
          AND h.active >= $1 AND 1 - h.crashed::float8 / h.active < v.rollout_halt_below`,
      [MIN_DEVICES_FOR_HALT],
    );
    const halted: AppVersion[] = [];
    for (const version of unhealthy) {
      const rate = 1 - version.crashed / version.active;
      const reason = `crash-free rate ${rate.toFixed(4)} (${version.active - version.crashed} of ${version.active} devices crash-free since ${version.since}) fell below ${version.threshold}`;
      const changed = await this.db.transaction(async (manager) => {
        const [row] = await queryRows<AppVersion>(
          manager,
          `UPDATE app_versions
              SET rollout_state = 'halted', rollout_halted_reason = $2::text, rollout_next_step_at = NULL,
                  rollout_updated_at = now(), updated_at = now()
            WHERE id = $1 AND rollout_state IN ('active', 'paused')
            RETURNING ${VERSION_COLUMNS('app_versions')}`,
          [version.id, reason],
        );
        if (row) await this.recordChange(manager, SERVER, 'rollout.auto_halt', row);
        return row;
      });
      if (changed) halted.push(changed);
    }
    return halted;
  }

  /**
   * appUpdate: the highest published version above `currentVersionCode` that this device is
   * offered (see offeredToDeviceSql); null for unknown, draft and suspended apps.
   */
  async forDevice(packageId: string, deviceId: string, currentVersionCode: number | null): Promise<AppVersion | null> {
    if (deviceId.length === 0) throw badInput('deviceId', 'must not be empty');
    const [version] = await this.db.query(
      `SELECT ${VERSION_COLUMNS('v')} FROM apps a JOIN app_versions v ON v.app_id = a.id
        WHERE a.package_id = $1 AND a.status = 'published' AND v.version_code > $3::int
          AND ${offeredToDeviceSql('v', deviceBucketSql('a.id', '$2::text'))}
        ORDER BY v.version_code DESC LIMIT 1`,
      [packageId, deviceId, currentVersionCode ?? 0],
    );
    return version ?? null;
  }

  /**
   * The audit row of a rollout change, and its webhook event: rollout.halted for halts, whoever
   * made them; rollout.updated for the rest (a rollout's start is announced by version.published).
   */
  private async recordChange(manager: EntityManager, actor: RolloutActor, action: RolloutAction, version: AppVersion): Promise<void> {
    const rollout = rolloutOf(version);
    await recordAudit(manager, {
      actorId: actor.developerId,
      action,
      targetType: 'app_version',
      targetId: version.id,
      metadata: { appId: version.appId, versionCode: version.versionCode, rollout },
      ip: actor.ip,
    });
    if (action === 'rollout.start') return;
    const halted = action === 'rollout.halt' || action === 'rollout.auto_halt';
    await recordEvent(manager, { appId: version.appId, type: halted ? 'rollout.halted' : 'rollout.updated', data: versionEventData(version) });
  }
}
