import { ApiProperty } from '@nestjs/swagger';

/** RFC 8414 §2 authorization server metadata, the fields Tessera publishes. */
export class AuthorizationServerMetadataDto {
  @ApiProperty({ format: 'uri' }) issuer!: string;
  @ApiProperty({ format: 'uri' }) jwks_uri!: string;
  @ApiProperty({ format: 'uri' }) revocation_endpoint!: string;
  @ApiProperty({ type: [String] }) revocation_endpoint_auth_methods_supported!: string[];
  @ApiProperty({ format: 'uri' }) introspection_endpoint!: string;
  @ApiProperty({ type: [String] }) introspection_endpoint_auth_methods_supported!: string[];
  @ApiProperty({ type: [String] }) scopes_supported!: string[];
  @ApiProperty({ type: [String] }) response_types_supported!: string[];
  @ApiProperty({ type: [String] }) grant_types_supported!: string[];
  @ApiProperty({ format: 'uri' }) service_documentation!: string;
}
