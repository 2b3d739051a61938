import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length, Matches, MaxLength } from 'class-validator';
import { IfPresent, NO_CONTROL_CHARS } from '../../common/validation.pipe';

export class LoginDto {
  @ApiProperty({ description: 'Username or email', example: 'ada' })
  @IsString()
  @Length(1, 254)
  @Matches(NO_CONTROL_CHARS, { message: 'username must not contain control characters' })
  username!: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @Length(1, 1024)
  @Matches(NO_CONTROL_CHARS, { message: 'password must not contain control characters' })
  password!: string;

  @ApiPropertyOptional({
    description:
      'Space-separated scopes to ask for; granted = asked ∩ allowed, unknown ones dropped',
    example: 'profile',
  })
  @IfPresent()
  @IsString()
  @MaxLength(1024)
  @Matches(NO_CONTROL_CHARS, { message: 'scope must not contain control characters' })
  scope?: string;
}
