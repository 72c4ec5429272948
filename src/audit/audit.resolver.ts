import { Args, Ctx, Query, Resolver } from 'type-graphql';
import { requireScope } from '../auth/guards';
import { Connection, type ConnectionData, PageArgs, parsePage } from '../graphql/connection';
import type { RequestContext } from '../graphql/context';
import { AuditLog } from './audit-log.entity';
import { AUDIT_CURSOR } from './audit.service';

const AuditLogConnection = Connection('AuditLog', AuditLog);

@Resolver()
export class AuditResolver {
  @Query(() => AuditLogConnection, { description: "Your own actions, newest first; admins see everyone's. Through an API key: account:read." })
  auditLogs(@Args() args: PageArgs, @Ctx() ctx: RequestContext): Promise<ConnectionData<AuditLog>> {
    return ctx.services.audit.list(requireScope(ctx, 'account:read'), parsePage(args, AUDIT_CURSOR));
  }
}
