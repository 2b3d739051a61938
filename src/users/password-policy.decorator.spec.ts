import { IsString, validateSync } from 'class-validator';
import { MeetsPasswordPolicy } from './password-policy.decorator';

class Body {
  email?: unknown;
  username?: unknown;
  @IsString()
  @MeetsPasswordPolicy()
  password!: unknown;
}

function messages(fields: Partial<Body>): string[] {
  const body = Object.assign(new Body(), fields);
  return validateSync(body).flatMap((error) => Object.values(error.constraints ?? {}));
}

describe('MeetsPasswordPolicy', () => {
  it('passes a password the policy takes', () => {
    expect(messages({ password: 'correct horse battery staple' })).toEqual([]);
  });

  it('says what the policy refuses', () => {
    expect(messages({ password: 'short' })).toEqual(['password must be 12 to 128 characters long']);
    expect(messages({ password: '1qaz2wsx3edc' })).toEqual(['password is too common']);
  });

  it('compares with the email and username of the same body, in any case', () => {
    const email = 'ada.lovelace@example.com';
    expect(messages({ email, password: email.toUpperCase() })).toEqual([
      'password must not be your email or username',
    ]);
    expect(messages({ username: 'ada_lovelace_1815', password: 'Ada_Lovelace_1815' })).toEqual([
      'password must not be your email or username',
    ]);
  });

  it('leaves a value that is not a string to @IsString, and ignores a non-string email', () => {
    expect(messages({ password: 42 })).toEqual(['password must be a string']);
    expect(messages({ email: 42, password: 'correct horse battery staple' })).toEqual([]);
  });
});
