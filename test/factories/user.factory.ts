import { randomBytes } from 'node:crypto';

export interface UserInput {
  email: string;
  username: string;
  password: string;
}

/** A fresh, valid registration body; unique on every call. */
export function aUser(overrides: Partial<UserInput> = {}): UserInput {
  const id = randomBytes(5).toString('hex');
  return {
    email: `user-${id}@example.com`,
    username: `user_${id}`,
    password: `Tessera-${randomBytes(8).toString('base64url')}`,
    ...overrides,
  };
}

/** The login body for a registered user. */
export function credentials(user: UserInput): { username: string; password: string } {
  return { username: user.username, password: user.password };
}
