import type { DataSource, EntityManager } from 'typeorm';
import { APP_COLUMNS, AppService } from '../apps/app.service';
import { AppStatus, type App } from '../apps/app.entity';
import { canViewApp, type Viewer } from '../apps/visibility';
import { recordAudit } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { queryRows } from '../db/sql';
import { isStaff } from '../developers/role';
import { type ConnectionData, type CursorKey, cursorPart, type Page, pageOrder, pastCursor, toConnection } from '../graphql/connection';
import { badInput, conflict, forbidden, isUniqueViolation, notFound } from '../graphql/errors';
import { assertId, isId } from '../graphql/ids';
import { groupByKey } from '../graphql/loaders';
import { versionEventData } from '../releases/rollout.types';
import { recordEvent, type WebhookEventType } from '../webhooks/outbox';
import { verifyEd25519 } from '../signing-keys/signing-key.service';
import { AppVersion, VersionStatus } from './app-version.entity';
import { latestVersionSql, VERSION_COLUMNS } from './version-sql';

/** The exact bytes a developer signs for a version. */
export function signedMessage(packageId: string, versionCode: number, packageSha256: string): string {
  return `mosis-package-v1:${packageId}:${versionCode}:${packageSha256}`;
}

export interface NewVersion {
  appId: string;
  versionCode: number;
  versionName: string;
  packageUrl: string;
  packageSize: bigint;
  packageSha256: string;
  signature: string;
  permissions?: string[] | null;
  minMosisVersion?: string | null;
  releaseNotes?: string | null;
}

/** Versions, highest code first, resume after a version_code. */
export const VERSION_CURSOR: CursorKey = [cursorPart.int4];

/** The review queue, longest waiting first, resumes after (submission time, version id). */
export const REVIEW_QUEUE_CURSOR: CursorKey = [cursorPart.timestamp, cursorPart.uuid];

type Transition = 'submit' | 'approve' | 'reject' | 'publish';

/**
 * The review workflow: draft → review → approved → published, or review → rejected → review.
 * Owners submit and publish; reviewers and admins approve and reject.
 */
const TRANSITIONS: Record<Transition, { from: VersionStatus[]; to: VersionStatus; by: 'owner' | 'staff'; verb: string; event: WebhookEventType }> = {
  submit: { from: [VersionStatus.DRAFT, VersionStatus.REJECTED], to: VersionStatus.REVIEW, by: 'owner', verb: 'submitted for review', event: 'version.submitted' },
  approve: { from: [VersionStatus.REVIEW], to: VersionStatus.APPROVED, by: 'staff', verb: 'approved', event: 'version.approved' },
  reject: { from: [VersionStatus.REVIEW], to: VersionStatus.REJECTED, by: 'staff', verb: 'rejected', event: 'version.rejected' },
  publish: { from: [VersionStatus.APPROVED], to: VersionStatus.PUBLISHED, by: 'owner', verb: 'published', event: 'version.published' },
};

/** Published versions of visible apps are public; the rest only for the app's owner, reviewers and admins. */
export function canViewVersion(viewer: Viewer, app: App, version: { status: VersionStatus }): boolean {
  if (!canViewApp(viewer, app)) return false;
  return version.status === VersionStatus.PUBLISHED || viewer.staff || app.developerId === viewer.developerId;
}

/** canViewVersion for versions whose app is already known to be visible, as SQL. */
export function visibleVersionsSql(viewer: Viewer, v: string, a: string, params: unknown[]): string {
  if (viewer.staff) return 'TRUE';
  if (!viewer.developerId) return `${v}.status = 'published'`;
  return `(${v}.status = 'published' OR ${a}.developer_id = $${params.push(viewer.developerId)})`;
}

export class AppVersionService {
  constructor(
    private readonly db: DataSource,
    private readonly apps: AppService,
  ) {}

  /**
   * Creates a draft version after checking, in this order: the caller owns the app, the input is
   * well-formed, the versionCode is new and higher, and the signature verifies with one of the
   * owner's active keys. The app row stays locked throughout, so concurrent creates serialize.
   */
  async create(principal: Principal, input: NewVersion, validateInput: () => Promise<void>, ip: string | null): Promise<AppVersion> {
    try {
      return await this.db.transaction(async (manager) => {
        const app = await this.apps.lockOwnApp(manager, principal, input.appId);
        await validateInput();
        if (input.packageSize <= 0n) throw badInput('packageSize', 'must be greater than 0');

        const [{ highest }] = await manager.query(
          `SELECT max(version_code) AS highest FROM app_versions WHERE app_id = $1`, [app.id]);
        if (highest !== null && input.versionCode <= highest) {
          throw conflict(`versionCode: must exceed ${highest}, the highest versionCode of ${app.packageId}`, 'versionCode');
        }

        const signingKeyId = await this.verifySignature(manager, app, input);
        const [version] = await manager.query(
          `INSERT INTO app_versions (app_id, version_code, version_name, package_url, package_size, package_sha256,
                                     signature, signing_key_id, permissions, min_mosis_version, release_notes)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${VERSION_COLUMNS('app_versions')}`,
          [app.id, input.versionCode, input.versionName.trim(), input.packageUrl, input.packageSize.toString(),
            input.packageSha256, input.signature, signingKeyId, JSON.stringify(input.permissions ?? []),
            input.minMosisVersion ?? null, input.releaseNotes ?? null],
        );
        await this.audit(manager, principal, 'version.create', version.id, ip, {
          appId: app.id, versionCode: input.versionCode, signingKeyId,
        });
        return version as AppVersion;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'app_versions_app_version_code_key')) {
        throw conflict(`versionCode: ${input.versionCode} already exists for this app`, 'versionCode');
      }
      throw error;
    }
  }

  /** Returns the id of the active key that signed it; refuses the version otherwise. */
  private async verifySignature(manager: EntityManager, app: App, input: NewVersion): Promise<string> {
    const keys: { id: string; public_key: string }[] = await manager.query(
      `SELECT id, public_key FROM signing_keys WHERE developer_id = $1 AND is_active ORDER BY created_at`,
      [app.developerId],
    );
    if (keys.length === 0) throw badInput('signature', 'register a signing key (registerSigningKey) before uploading versions');
    const message = signedMessage(app.packageId, input.versionCode, input.packageSha256);
    const signer = keys.find((key) => verifyEd25519(key.public_key, message, input.signature));
    if (!signer) {
      throw badInput('signature', `does not verify against any of your active signing keys over "${message}"`);
    }
    return signer.id;
  }

  /**
   * Moves a version along the workflow. Authorization before validation: only staff may approve
   * or reject, whatever the id; an id that names no version is BAD_USER_INPUT for staff (who may
   * act on any version) and NOT_FOUND for owners' actions, as for any version they cannot see.
   * `alsoDo` runs in the same transaction once the version has moved (the app and version rows
   * still locked); whatever it throws undoes the whole transition.
   */
  async transition(
    principal: Principal,
    rawId: string,
    action: Transition,
    notes: string | null,
    ip: string | null,
    alsoDo?: (manager: EntityManager, version: AppVersion, app: App) => Promise<AppVersion>,
  ): Promise<AppVersion> {
    const rule = TRANSITIONS[action];
    const staff = isStaff(principal.role);
    if (rule.by === 'staff' && !staff) throw forbidden(`Only reviewers and admins may have a version ${rule.verb}.`);
    if (rule.by === 'owner' && !isId(rawId)) throw notFound('Version');
    const id = assertId('id', rawId);
    return this.db.transaction(async (manager) => {
      // Lock the app before the version, the same order createVersion uses, so they cannot deadlock.
      const [row] = await manager.query(
        `SELECT ${APP_COLUMNS('a')}, v.status AS "versionStatus" FROM app_versions v JOIN apps a ON a.id = v.app_id
          WHERE v.id = $1 FOR UPDATE OF a, v`,
        [id],
      );
      const viewer = { developerId: principal.developerId, staff };
      if (!row || !canViewVersion(viewer, row, { status: row.versionStatus })) throw notFound('Version');
      const { versionStatus, ...app } = row as App & { versionStatus: VersionStatus };
      if (rule.by === 'owner' && app.developerId !== principal.developerId) {
        throw forbidden(`Only the app's owner may have a version ${rule.verb}.`);
      }
      // Four eyes: whoever reviews a version must not be the one who wrote it.
      if (rule.by === 'staff' && app.developerId === principal.developerId) {
        throw forbidden(`A version of your own app must be ${rule.verb} by another reviewer or admin.`);
      }
      if (!rule.from.includes(versionStatus)) {
        throw badInput('status', `the version is ${versionStatus.toUpperCase()}; only ${rule.from.map((s) => s.toUpperCase()).join(' or ')} versions can be ${rule.verb}`);
      }
      if (action === 'reject' && !notes?.trim()) throw badInput('notes', 'say what must change before the version can be approved');

      // A published version is rolled out to everyone (a trigger sets it) unless alsoDo stages it.
      const [moved] = await queryRows<AppVersion>(
        manager,
        `UPDATE app_versions
            SET status = $2::text, updated_at = now(),
                review_notes = coalesce($3::text, review_notes),
                published_at = CASE WHEN $2::text = 'published' THEN now() ELSE published_at END
          WHERE id = $1 RETURNING ${VERSION_COLUMNS('app_versions')}`,
        [id, rule.to, action === 'approve' || action === 'reject' ? notes?.trim() || null : null],
      );
      if (action === 'publish' && app.status === AppStatus.DRAFT) {
        await manager.query(`UPDATE apps SET status = 'published', updated_at = now() WHERE id = $1`, [app.id]);
      }
      await this.audit(manager, principal, `version.${action}`, id, ip, { appId: app.id, from: versionStatus, to: rule.to });
      const version = alsoDo ? await alsoDo(manager, moved, app) : moved;
      await recordEvent(manager, { appId: app.id, type: rule.event, data: versionEventData(version) });
      return version;
    });
  }

  /**
   * Locks a version and its app (app first, as transition does) for a change only the app's owner
   * may make: NOT_FOUND for whoever may not see the version (or sends an id that names none),
   * FORBIDDEN for anyone else but the owner.
   */
  async lockOwnVersion(manager: EntityManager, principal: Principal, rawId: string): Promise<{ app: App; version: AppVersion }> {
    if (!isId(rawId)) throw notFound('Version');
    const [row] = await manager.query(
      `SELECT ${APP_COLUMNS('a')}, row_to_json(version) AS version
         FROM app_versions v JOIN apps a ON a.id = v.app_id
        CROSS JOIN LATERAL (SELECT ${VERSION_COLUMNS('v')}) version
        WHERE v.id = $1 FOR UPDATE OF a, v`,
      [rawId.toLowerCase()],
    );
    const viewer = { developerId: principal.developerId, staff: isStaff(principal.role) };
    if (!row || !canViewVersion(viewer, row, row.version)) throw notFound('Version');
    const { version, ...app } = row as App & { version: AppVersion };
    if (app.developerId !== principal.developerId) throw forbidden("Only the app's owner may change its versions' rollouts.");
    return { app, version };
  }

  async findByIds(ids: readonly string[]): Promise<AppVersion[]> {
    return this.db.query(`SELECT ${VERSION_COLUMNS('v')} FROM app_versions v WHERE v.id = ANY($1)`, [ids]);
  }

  /** Each app's latest version (see latestVersionSql), in one statement. */
  async latestPublished(appIds: readonly string[]): Promise<AppVersion[]> {
    return this.db.query(`SELECT lv.* FROM unnest($1::uuid[]) AS a(id) CROSS JOIN LATERAL (${latestVersionSql('a')}) lv`, [appIds]);
  }

  /** One page of versions (highest code first) for each of many apps, in a single query. */
  async pageForApps(appIds: readonly string[], viewer: Viewer, page: Page): Promise<AppVersion[][]> {
    const params: unknown[] = [appIds];
    const visible = visibleVersionsSql(viewer, 'v', 'a', params);
    const cursor = page.cursor ? `AND v.version_code ${pastCursor(page, 'DESC')} $${params.push(page.cursor[0])}` : '';
    const rows: AppVersion[] = await this.db.query(
      `SELECT page.* FROM unnest($1::uuid[]) AS parent(id)
       CROSS JOIN LATERAL (
         SELECT ${VERSION_COLUMNS('v')} FROM app_versions v JOIN apps a ON a.id = v.app_id
          WHERE v.app_id = parent.id AND ${visible} ${cursor}
          ORDER BY ${pageOrder(page, 'v.version_code DESC')} LIMIT ${page.limit + 1}
       ) page`,
      params,
    );
    return groupByKey(appIds, rows, (v) => v.appId);
  }

  /**
   * Versions in REVIEW, longest waiting first. A version's updated_at is the time of its last
   * transition, so for one in REVIEW it is when it was submitted.
   */
  async awaitingReview(page: Page): Promise<ConnectionData<AppVersion>> {
    const params: unknown[] = [];
    let cursor = '';
    if (page.cursor) {
      const [submittedAt, id] = page.cursor;
      cursor = `AND (v.updated_at, v.id) ${pastCursor(page, 'ASC')} ($${params.push(submittedAt)}::timestamp AT TIME ZONE 'UTC', $${params.push(id)}::uuid)`;
    }
    const rows: (AppVersion & { cursorSubmittedAt: string })[] = await this.db.query(
      `SELECT ${VERSION_COLUMNS('v')},
              to_char(v.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS "cursorSubmittedAt"
         FROM app_versions v WHERE v.status = 'review' ${cursor}
        ORDER BY ${pageOrder(page, 'v.updated_at ASC, v.id ASC')} LIMIT ${page.limit + 1}`,
      params,
    );
    const count = async () => {
      const [{ count }] = await this.db.query(`SELECT count(*)::int AS count FROM app_versions WHERE status = 'review'`);
      return count as number;
    };
    return toConnection(rows, page, (row) => [row.cursorSubmittedAt, row.id], count, ({ cursorSubmittedAt: _cursor, ...version }) => version);
  }

  async countForApps(appIds: readonly string[], viewer: Viewer): Promise<number[]> {
    const params: unknown[] = [appIds];
    const rows: { app_id: string; count: number }[] = await this.db.query(
      `SELECT v.app_id, count(*)::int AS count FROM app_versions v JOIN apps a ON a.id = v.app_id
        WHERE v.app_id = ANY($1) AND ${visibleVersionsSql(viewer, 'v', 'a', params)} GROUP BY v.app_id`,
      params,
    );
    const counts = new Map(rows.map((r) => [r.app_id, r.count]));
    return appIds.map((id) => counts.get(id) ?? 0);
  }

  private audit(manager: EntityManager, principal: Principal, action: string, versionId: string, ip: string | null, metadata: Record<string, unknown>) {
    return recordAudit(manager, { actorId: principal.developerId, action, targetType: 'app_version', targetId: versionId, metadata, ip });
  }
}

