import { registerEnumType } from 'type-graphql';

export enum Role {
  DEVELOPER = 'developer',
  REVIEWER = 'reviewer',
  ADMIN = 'admin',
}

registerEnumType(Role, { name: 'Role', description: 'What a developer account may do beyond its own resources.' });

export const ROLES: readonly string[] = Object.values(Role);

export function isStaff(role: Role): boolean {
  return role === Role.REVIEWER || role === Role.ADMIN;
}
