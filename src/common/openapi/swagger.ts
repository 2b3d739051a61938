import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { wsConfig, WsConfig } from '../../config/configuration';
import { websocketPath } from '../../ws/ws.openapi';

/** OpenAPI 3 at /docs-json and Swagger UI at /docs, with "Authorize" taking a bearer token. */
export function setupSwagger(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Tessera')
    .setDescription(
      'JWT authentication and authorization. Errors are RFC 9457 problem details ' +
        '(application/problem+json). Sign in with POST /auth/login, then Authorize with the access_token.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const document = problemJson(SwaggerModule.createDocument(app, config));
  // The WebSocket gateway is not a Fastify route, so Swagger cannot find it by itself.
  const ws = app.get<WsConfig>(wsConfig.KEY);
  document.paths['/ws'] = websocketPath({
    perSession: ws.maxSocketsPerSession,
    perUser: ws.maxSocketsPerUser,
  });
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
  return document;
}

/** Error responses are served as application/problem+json: say so in the document. */
function problemJson(document: OpenAPIObject): OpenAPIObject {
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path)) {
      const responses = (
        operation as { responses?: Record<string, { content?: Record<string, unknown> }> }
      ).responses;
      for (const [status, response] of Object.entries(responses ?? {})) {
        const json = response.content?.['application/json'];
        if (Number(status) >= 400 && json) response.content = { 'application/problem+json': json };
      }
    }
  }
  return document;
}
