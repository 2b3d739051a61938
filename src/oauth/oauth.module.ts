import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TokensModule } from '../tokens/tokens.module';
import { IntrospectionService } from './introspection.service';
import { MetadataController } from './metadata.controller';
import { PresentedTokens } from './presented-token';
import { RevocationService } from './revocation.service';
import { TokenEndpointsController } from './token-endpoints.controller';

/** OAuth interoperability: revocation (RFC 7009), introspection (RFC 7662), metadata (RFC 8414). */
@Module({
  imports: [TokensModule, JwtModule.register({})],
  controllers: [TokenEndpointsController, MetadataController],
  providers: [PresentedTokens, RevocationService, IntrospectionService],
})
export class OAuthModule {}
