import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length, Matches, MaxLength } from 'class-validator';
import { EXAMPLE_PASSWORD, EXAMPLE_USERNAME } from '../../common/openapi/examples';
import { IfPresent, NO_CONTROL_CHARS } from '../../common/validation.pipe';

export class LoginDto {
  @ApiProperty({ description: 'Username or email', example: EXAMPLE_USERNAME })
  @IsString()
  @Length(1, 254)
  @Matches(NO_CONTROL_CHARS, { message: 'username must not contain control characters' })
  username!: string;

  @ApiProperty({ example: EXAMPLE_PASSWORD })
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
