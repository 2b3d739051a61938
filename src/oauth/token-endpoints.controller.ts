import { Body, Controller, Header, HttpCode, Post, Req } from '@nestjs/common';
import { ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { Authorize } from '../auth/decorators/authorize.decorator';
import { THROTTLE_LIMITS } from '../throttle/throttle.limits';
import { Throttled } from '../throttle/throttled.decorator';
import { Public } from '../auth/decorators/public.decorator';
import { AppErrorCode } from '../common/errors/app-error';
import { ApiProblem } from '../common/openapi/api-problem.decorator';
import { cacheControl, NO_STORE } from '../common/openapi/response-headers';
import { INTROSPECTION_EXAMPLES, IntrospectionResponseDto } from './dto/introspection-response.dto';
import { TokenRequestDto } from './dto/token-request.dto';
import { IntrospectionService } from './introspection.service';
import { RevocationService } from './revocation.service';

/** The validation problem of a body without a token. */
const NO_TOKEN = {
  code: AppErrorCode.ValidationFailed,
  detail: 'token should not be empty; token must be a string',
  errors: [
    { field: 'token', message: 'token should not be empty' },
    { field: 'token', message: 'token must be a string' },
  ],
};

/** The RFCs require form bodies; JSON is accepted too, like everywhere else in the API. */
const BODY_TYPES = ['application/x-www-form-urlencoded', 'application/json'];

@ApiTags('oauth')
@Controller('auth')
export class TokenEndpointsController {
  constructor(
    private readonly revocation: RevocationService,
    private readonly introspection: IntrospectionService,
  ) {}

  /**
   * Public on purpose: RFC 7009 §2.1 lets public clients (a browser or mobile app, which holds no
   * client secret) revoke their own tokens, and Tessera has only public clients. Nothing is lost:
   * the token itself is the credential (whoever holds it could use it, so may also end it), an
   * unknown or forged one changes nothing, and the answer is 200 either way, so the endpoint
   * tells an attacker nothing about any token.
   */
  @Post('revoke')
  @Public()
  @Throttled(THROTTLE_LIMITS.revoke)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiConsumes(...BODY_TYPES)
  @ApiOperation({
    operationId: 'revokeToken',
    summary: 'Revoke an access or refresh token (RFC 7009)',
    description:
      'An access token is refused from the next request on; a refresh token ends its session ' +
      '(every token issued in it). Answers 200 also for unknown, invalid or expired tokens.',
  })
  @ApiOkResponse({
    description: 'Revoked, or was not a live token of ours (no body)',
    headers: cacheControl('no-store', 'Never cached (RFC 7009 answers are not for a cache).'),
  })
  @ApiProblem('No `token` in the body (RFC 6749 `error`: `invalid_request`)', NO_TOKEN)
  async revoke(@Body() dto: TokenRequestDto, @Req() request: FastifyRequest): Promise<void> {
    await this.revocation.revoke(dto.token, request.ip ?? null);
  }

  @Post('introspect')
  @Authorize({ scopes: ['tokens:introspect'] })
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiConsumes(...BODY_TYPES)
  @ApiOperation({
    operationId: 'introspectToken',
    summary: 'Introspect a token (RFC 7662)',
    description:
      'For resource servers: whether the token is accepted right now (not revoked, session ' +
      'live), with its claims. The caller authenticates with its own access token holding ' +
      'scope tokens:introspect.',
  })
  @ApiOkResponse({
    description: 'The token is active (with its claims), or `{"active": false}` for anything else',
    type: IntrospectionResponseDto,
    headers: NO_STORE,
    examples: INTROSPECTION_EXAMPLES,
  })
  @ApiProblem('No `token` in the body (RFC 6749 `error`: `invalid_request`)', NO_TOKEN)
  introspect(@Body() dto: TokenRequestDto): Promise<IntrospectionResponseDto> {
    return this.introspection.introspect(dto.token);
  }
}
