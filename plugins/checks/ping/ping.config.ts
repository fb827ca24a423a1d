import { IsInt, Max, Min } from 'class-validator';

/** Options of the ping check. Decorators run bottom-up and stop at the first failure: the type check sits last. */
export class PingConfig {
  /** Echo requests per check; all lost is down, some lost is a warning. */
  @Max(20, { message: 'must be at most 20' })
  @Min(1, { message: 'must be at least 1' })
  @IsInt({ message: 'must be a whole number' })
  count = 3;
}
