import { ApiProperty } from '@nestjs/swagger';

export class LivenessDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' }) status!: 'ok';
}

const STORE_UP = { store: { status: 'up' } };

/** What @nestjs/terminus answers when every check passes. */
export class ReadinessDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' }) status!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The checks that passed',
    example: STORE_UP,
  })
  info!: Record<string, unknown>;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The checks that failed (empty here)',
    example: {},
  })
  error!: Record<string, unknown>;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Every check',
    example: STORE_UP,
  })
  details!: Record<string, unknown>;
}
