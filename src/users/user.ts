/** Roles known to Tessera. Every user has `user`; `admin` manages users and reads the audit trail. */
export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A user as stored. `passwordHash` never leaves the service. */
export interface User {
  id: string;
  email: string;
  username: string;
  passwordHash: string;
  roles: Role[];
  /** Extra scopes granted on top of the defaults of the user's roles. */
  scopes: string[];
  active: boolean;
  /**
   * The user proved they receive mail at `email` (POST /auth/email/verify). Absent on users
   * stored before verification existed: not verified.
   */
  emailVerified?: boolean;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  updatedAt: string;
}

export type UserPatch = Partial<
  Pick<User, 'passwordHash' | 'roles' | 'scopes' | 'active' | 'emailVerified'>
>;
