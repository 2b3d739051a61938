import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString, ValidateBy } from 'class-validator';
import { IfPresent } from '../common/validation.pipe';
import { KNOWN_SCOPES } from '../config/scopes';

/** What a scope looks like; only such values are named back in an error, garbage is not echoed. */
const SCOPE_SHAPE = /^[a-z][a-z0-9_.:-]{0,63}$/;

/**
 * An optional `scopes` list of a user: strings, each one of KNOWN_SCOPES (src/config/scopes.ts).
 * An unknown scope is a 400 naming it, never stored: a stored one would be granted at login and
 * show up in tokens that resource servers then trust.
 */
export function ScopesProperty(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: [String],
      enum: [...KNOWN_SCOPES],
      description,
      example: ['users:read'],
    }),
    IfPresent(),
    IsArray(),
    ArrayMaxSize(32),
    IsString({ each: true }),
    AreKnownScopes(),
  );
}

/** Every element a known scope; non-strings are @IsString's to report. */
export function AreKnownScopes(): PropertyDecorator {
  return ValidateBy({
    name: 'areKnownScopes',
    validator: {
      validate: (value: unknown) => unknownScopesOf(value).length === 0,
      defaultMessage: (args) => {
        const unknown = unknownScopesOf(args?.value).filter((s) => SCOPE_SHAPE.test(s));
        const named = unknown.length ? `: ${unknown.slice(0, 8).join(', ')}` : '';
        return `scopes must be known scopes (${KNOWN_SCOPES.join(', ')}); unknown${named}`;
      },
    },
  });
}

function unknownScopesOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const strings = value.filter((s): s is string => typeof s === 'string');
  return [...new Set(strings.filter((s) => !KNOWN_SCOPES.includes(s)))];
}
