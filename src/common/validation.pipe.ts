import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidateIf } from 'class-validator';
import { AppError, AppErrorCode, FieldError } from './errors/app-error';

/**
 * The global pipe: unknown fields are refused (not silently dropped), values are transformed to
 * DTO classes, and every failure becomes one 400 problem listing each field.
 */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new AppError(
        AppErrorCode.ValidationFailed,
        fields
          .map((f) => f.message)
          .join('; ')
          .slice(0, 500),
        {
          errors: fields,
        },
      );
    },
  });
}

/**
 * Like `@IsOptional()`, but only an absent field skips validation: an explicit `null` is checked
 * (and refused) like any other wrong type, so `{"roles": null}` never passes as "no change".
 */
export const IfPresent = (): PropertyDecorator =>
  ValidateIf((_object: object, value: unknown) => value !== undefined);

/** No control characters (C0, DEL, C1; NUL above all): never part of a real credential. */
export const NO_CONTROL_CHARS = /^\P{Cc}*$/u;

/**
 * Neither control nor invisible format characters (bidi overrides, zero-width): in an email they
 * make one address look like another wherever it is shown.
 */
export const NO_INVISIBLE_CHARS = /^[^\p{Cc}\p{Cf}]*$/u;

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
