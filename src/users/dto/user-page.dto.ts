import { ApiProperty } from '@nestjs/swagger';
import { UserView } from '../user.view';

export class UserPageDto {
  @ApiProperty({ type: [UserView] }) items!: UserView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
