import { DeveloperService } from '../../developers/developer.service';
import { ROLES } from '../../developers/role';
import { type Command, UsageError } from '../command';

export const grantRole: Command = {
  name: 'grant-role',
  usage: `grant-role <email> <${ROLES.join('|')}>`,
  summary: "change a developer's role (takes effect on their next request)",
  async run([email, role], { database }) {
    if (!email || !role) throw new UsageError('grant-role needs an email and a role');
    const developer = await new DeveloperService(database.dataSource).grantRole(email, role);
    console.log(`${developer.email} is now ${developer.role}`);
  },
};
