import { ApiProperty } from '@nestjs/swagger';
import { EXAMPLE_USERS_CURSOR } from '../../common/openapi/examples';
import { UserView } from '../user.view';

export class UserPageDto {
  @ApiProperty({ type: [UserView], description: 'Oldest first' }) items!: UserView[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page',
    example: EXAMPLE_USERS_CURSOR,
  })
  nextCursor!: string | null;
}
