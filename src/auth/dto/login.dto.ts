import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ description: 'Username or email', example: 'ada' })
  @IsString()
  @Length(1, 254)
  username!: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @Length(1, 1024)
  password!: string;

  @ApiPropertyOptional({
    description:
      'Space-separated scopes to ask for; granted = asked ∩ allowed, unknown ones dropped',
    example: 'profile',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  scope?: string;
}
