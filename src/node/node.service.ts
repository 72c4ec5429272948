import type { DataSource } from 'typeorm';
import { type Viewer, visibleAppsSql } from '../apps/visibility';
import { visibleVersionsSql } from '../versions/app-version.service';

export type NodeTypeName = 'App' | 'AppVersion' | 'Developer';

export class NodeService {
  constructor(private readonly db: DataSource) {}

  /**
   * Which type the id belongs to, if the viewer may see it: apps and versions under the rules of
   * app(id) and App.versions, a developer when it is the viewer, the viewer is staff, or it owns an
   * app the viewer may see (as App.developer would show it). Ids are UUIDs across all three tables.
   */
  async typeOf(viewer: Viewer, id: string): Promise<NodeTypeName | null> {
    const params: unknown[] = [id];
    const self = viewer.developerId ? `d.id = $${params.push(viewer.developerId)} OR ` : '';
    const rows: { type: NodeTypeName }[] = await this.db.query(
      `SELECT 'App' AS type FROM apps a WHERE a.id = $1 AND ${visibleAppsSql(viewer, 'a', params)}
       UNION ALL
       SELECT 'AppVersion' FROM app_versions v JOIN apps a ON a.id = v.app_id
        WHERE v.id = $1 AND ${visibleAppsSql(viewer, 'a', params)} AND ${visibleVersionsSql(viewer, 'v', 'a', params)}
       UNION ALL
       SELECT 'Developer' FROM developers d
        WHERE d.id = $1 AND (${self}${viewer.staff} OR EXISTS (SELECT 1 FROM apps a WHERE a.developer_id = d.id AND ${visibleAppsSql(viewer, 'a', params)}))
       LIMIT 1`,
      params,
    );
    return rows[0]?.type ?? null;
  }
}
