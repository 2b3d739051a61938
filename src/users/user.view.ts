import { ApiProperty } from '@nestjs/swagger';
import { EXAMPLE_EMAIL, EXAMPLE_USER_ID, EXAMPLE_USERNAME } from '../common/openapi/examples';
import { Role, ROLES, User } from './user';

/** A user on the wire: never the password hash. */
export class UserView {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_USER_ID }) id!: string;
  @ApiProperty({ format: 'email', example: EXAMPLE_EMAIL }) email!: string;
  @ApiProperty({ example: EXAMPLE_USERNAME }) username!: string;
  @ApiProperty({ enum: ROLES, isArray: true, example: ['user'] }) roles!: Role[];
  @ApiProperty({
    type: [String],
    description: "Scopes granted on top of the roles' defaults",
    example: ['users:read'],
  })
  scopes!: string[];
  @ApiProperty({ description: 'false: deactivated, cannot sign in', example: true })
  active!: boolean;
  @ApiProperty({
    description: 'true once the user followed the link of a verification mail to this email',
    example: true,
  })
  emailVerified!: boolean;
  @ApiProperty({ format: 'date-time', example: '2026-11-02T14:03:51.207Z' }) createdAt!: string;

  static of(user: User): UserView {
    const { id, email, username, roles, scopes, active, createdAt } = user;
    return Object.assign(new UserView(), {
      id,
      email,
      username,
      roles: [...roles],
      scopes: [...scopes],
      active,
      emailVerified: user.emailVerified === true,
      createdAt,
    });
  }
}
