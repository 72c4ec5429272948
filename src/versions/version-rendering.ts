import type { SqlObjectRendering } from '../graphql/sql-answers';
import { VERSION_COLUMN_SQL } from './version-sql';

/** AppVersion's fields as PostgreSQL renders them (see SqlAnswers): its columns; `app` and `rollout` are the resolvers'. */
export const VERSION_RENDERING: SqlObjectRendering = { fields: VERSION_COLUMN_SQL };
