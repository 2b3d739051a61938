import { applyDecorators } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { AppErrorCode } from '../../common/errors/app-error';
import { ApiProblem } from '../../common/openapi/api-problem.decorator';
import { EXAMPLE_DPOP_PROOF } from '../../common/openapi/examples';

/**
 * A token request (login, second-factor login, refresh) that takes an optional DPoP proof
 * (RFC 9449): the `DPoP` header and the two ways a proof is refused, in OpenAPI.
 */
export const ApiDpopTokenRequest = () =>
  applyDecorators(
    ApiHeader({
      name: 'DPoP',
      required: false,
      example: EXAMPLE_DPOP_PROOF,
      description:
        'Optional (RFC 9449): a DPoP proof JWT (`typ: dpop+jwt`, `jwk` header, `htm` = `POST`, ' +
        '`htu` = `JWT_ISSUER` + this path, `iat`, `jti`). The session is then bound to that ' +
        'key: `token_type` is `DPoP`, access tokens carry `cnf.jkt` and work only as ' +
        '`Authorization: DPoP` with a proof, and refreshes need a proof by the same key.',
    }),
    ApiProblem(
      'The `DPoP` proof is refused (or the session is bound to a key this request did not ' +
        'prove); or `DPOP_NONCE_REQUIRED=true` and the proof lacks the nonce of the ' +
        '`DPoP-Nonce` header sent with this answer',
      {
        code: AppErrorCode.InvalidDpopProof,
        detail: 'DPoP proof refused: proof htu does not match the URL.',
      },
      AppErrorCode.UseDpopNonce,
    ),
  );
