import { ValidationError, ValidationPipe } from '@nestjs/common';
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

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
