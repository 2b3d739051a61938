import { ApiProperty } from '@nestjs/swagger';
import { Role, ROLES, User } from './user';

/** A user on the wire: never the password hash. */
export class UserView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'email' }) email!: string;
  @ApiProperty() username!: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles!: Role[];
  @ApiProperty({ type: [String], description: "Scopes granted on top of the roles' defaults" })
  scopes!: string[];
  @ApiProperty() active!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static of(user: User): UserView {
    const { id, email, username, roles, scopes, active, createdAt } = user;
    return Object.assign(new UserView(), {
      id,
      email,
      username,
      roles: [...roles],
      scopes: [...scopes],
      active,
      createdAt,
    });
  }
}
