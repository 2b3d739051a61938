import { ValidateBy, ValidationArguments } from 'class-validator';
import { PasswordPolicy } from './password-policy';

/** The policy needs no injection: validation, outside Nest's injector, shares one instance. */
let shared: PasswordPolicy | undefined;
const policy = (): PasswordPolicy => (shared ??= new PasswordPolicy());

/**
 * Runs the password policy as part of validation, so one 400 lists a breach together with every
 * other invalid field instead of only once the rest is fixed. The password must not equal the
 * body's `email` or `username` where the body has them (register, admin create); password change
 * has neither, and its service checks the user's own. The services check the whole policy again:
 * that is the invariant, this is the complete first answer.
 */
export function MeetsPasswordPolicy(): PropertyDecorator {
  return ValidateBy({
    name: 'meetsPasswordPolicy',
    validator: {
      validate: (_value, args) => !args || problemOf(args) === null,
      defaultMessage: (args) => (args && problemOf(args)) ?? 'password breaks the policy',
    },
  });
}

/** Null for a non-string: its type is @IsString's to report. */
function problemOf({ value, object }: ValidationArguments): string | null {
  if (typeof value !== 'string') return null;
  const { email, username } = object as Partial<Record<'email' | 'username', unknown>>;
  // '' never matches: the policy refuses a password that short before comparing.
  const text = (field: unknown) => (typeof field === 'string' ? field : '');
  return policy().problem(value, { email: text(email), username: text(username) });
}
