import { ApiProperty, PickType } from '@nestjs/swagger';
import { EXAMPLE_SCOPE, EXAMPLE_SESSION_ID } from '../../common/openapi/examples';
import { UserView } from '../../users/user.view';

/** The caller: who the user is, and what the presented token may do. */
export class MeDto extends PickType(UserView, ['id', 'email', 'username', 'roles'] as const) {
  @ApiProperty({
    type: [String],
    description: 'Scopes of the presented access token',
    example: EXAMPLE_SCOPE.split(' '),
  })
  scopes!: string[];
  @ApiProperty({ format: 'uuid', example: EXAMPLE_SESSION_ID }) sessionId!: string;
}
