import { FieldError } from './app-error';

/** RFC 9457 problem details, as every error leaves the service. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}
