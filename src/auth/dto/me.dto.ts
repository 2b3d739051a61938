import { ApiProperty } from '@nestjs/swagger';
import { ROLES, Role } from '../../users/user';

export class MeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() username!: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles!: Role[];
  @ApiProperty({ type: [String], description: 'Scopes of the presented access token' })
  scopes!: string[];
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
}
