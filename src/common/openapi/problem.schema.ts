import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { problemTypesTable } from './problem-types';

class FieldErrorSchema {
  @ApiProperty({
    description: 'The body or query property; `""` for the body as a whole',
    example: 'password',
  })
  field!: string;
  @ApiProperty({ example: 'password is too common' }) message!: string;
}

/** RFC 9457 problem details, as OpenAPI sees every error (media type application/problem+json). */
@ApiSchema({
  description:
    'RFC 9457 problem details: every error of the service, served as `application/problem+json` ' +
    'with `Cache-Control: no-store` (`POST /auth/revoke` and `POST /auth/introspect` answer ' +
    'the same members as `application/json`, plus the RFC 6749 `error`). Branch on `type`, ' +
    'never on `title` or `detail`. Every `type` is `https://tessera.dev/problems/<slug>`:\n\n' +
    problemTypesTable(),
})
export class ProblemResponse {
  @ApiProperty({
    format: 'uri',
    description: 'Stable identifier of the problem; one of the types listed above',
    example: 'https://tessera.dev/problems/invalid-token',
  })
  type!: string;
  @ApiProperty({ description: 'Fixed per type', example: 'Invalid token' }) title!: string;
  @ApiProperty({ description: 'The HTTP status', example: 401 }) status!: number;
  @ApiProperty({ description: 'What happened this time, for people', example: 'token expired' })
  detail!: string;
  @ApiPropertyOptional({
    type: [FieldErrorSchema],
    description: '`validation-failed` only: every broken rule, one entry each',
  })
  errors?: FieldErrorSchema[];
}

/**
 * The errors of the OAuth RFC endpoints (`POST /auth/revoke`, `POST /auth/introspect`): the same
 * problem, served as `application/json` with RFC 6749 §5.2's members first (oauth-error.ts).
 */
@ApiSchema({
  description:
    'An RFC 6749 §5.2 error response that is also a problem (RFC 9457): standard OAuth clients ' +
    'read `error`, Tessera clients read `type` as anywhere else.',
})
export class OAuthProblemResponse extends ProblemResponse {
  @ApiProperty({
    description:
      'RFC 6749 §5.2 / RFC 6750 §3.1 error code (docs/errors.md lists when each is sent)',
    example: 'invalid_request',
  })
  error!: string;
  @ApiProperty({
    description: "The `detail`, in the RFC's character set",
    example: 'token should not be empty',
  })
  error_description!: string;
}
