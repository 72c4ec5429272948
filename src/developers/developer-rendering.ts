import type { SqlObjectRendering } from '../graphql/sql-answers';
import { DEVELOPER_COLUMN_SQL } from './developer.service';
import { isStaff } from './role';

/**
 * Developer's fields as PostgreSQL renders them (see SqlAnswers). `email` follows
 * DeveloperResolver.email: reviewers and admins with account:read see every developer's; for
 * anyone else it depends on whose row it is, so their requests are the resolver's.
 */
export const DEVELOPER_RENDERING: SqlObjectRendering = {
  fields: {
    ...DEVELOPER_COLUMN_SQL,
    email: (d, { context: { principal } }) =>
      principal && isStaff(principal.role) && principal.scopes.has('account:read') ? DEVELOPER_COLUMN_SQL.email(d) : null,
  },
};
