import { Argument, Command } from 'commander';
import type { Role } from '../../developers/role';
import { withDatabase } from '../command';

// Spelled out rather than imported, so `--help` need not load type-graphql; `satisfies` keeps the list complete.
const ROLE_CHOICES = Object.keys({ developer: true, reviewer: true, admin: true } satisfies Record<`${Role}`, true>);

export const grantRole = () =>
  new Command('grant-role')
    .description("change a developer's role (takes effect on their next request)")
    .argument('<email>', "the developer's account email")
    .addArgument(new Argument('<role>', 'the new role').choices(ROLE_CHOICES))
    .action((email: string, role: string) =>
      withDatabase(async ({ database }) => {
        const { DeveloperService } = await import('../../developers/developer.service');
        const developer = await new DeveloperService(database.dataSource).grantRole(email, role);
        console.log(`${developer.email} is now ${developer.role}`);
      }),
    );
