import { ArrayMaxSize, IsArray, IsIn, IsString, MaxLength, ValidateBy, type ValidationArguments } from 'class-validator';
import { expectedProblem, parseResolver, RECORD_TYPES, type RecordType } from './dns-names.js';

const EXPECTED_MESSAGE = 'must be a list of answers, e.g. ["192.0.2.10"]';

/** Options of the dns check. Decorators run bottom-up and stop at the first failure: type checks sit last. */
export class DnsConfig {
  @IsIn(RECORD_TYPES, { message: `must be one of ${RECORD_TYPES.join(', ')}` })
  record_type: RecordType = 'A';

  /** The DNS server to ask: an IP address with an optional port ("127.0.0.1:5353", "[::1]:5353"); "" = the system's (/etc/resolv.conf). */
  @ValidateBy({
    name: 'isResolver',
    validator: {
      validate: (value: string) => value === '' || parseResolver(value) !== null,
      defaultMessage: () =>
        'must be an IP address with an optional port, e.g. "192.0.2.53", "127.0.0.1:5353" or "[::1]:5353", or "" for the system resolver',
    },
  })
  @IsString({ message: 'must be a string' })
  resolver = '';

  /** Answers that must all be among those received; [] = any answer will do. */
  @ValidateBy({
    name: 'fitsRecordType',
    validator: {
      validate: (value: string[], args?: ValidationArguments) => {
        const type = (args!.object as DnsConfig).record_type;
        // An unknown record_type is reported on record_type alone.
        return !RECORD_TYPES.includes(type) || value.every((item) => expectedProblem(type, item) === null);
      },
      defaultMessage: (args?: ValidationArguments) => {
        const config = args!.object as DnsConfig;
        const problem = config.expected.map((item) => expectedProblem(config.record_type, item)).find((found) => found !== null);
        return `must hold ${config.record_type} answers: ${problem}`;
      },
    },
  })
  @MaxLength(1000, { each: true, message: 'must have answers of at most 1000 characters each' })
  @IsString({ each: true, message: EXPECTED_MESSAGE })
  @ArrayMaxSize(32, { message: 'must have at most 32 answers' })
  @IsArray({ message: EXPECTED_MESSAGE })
  expected: string[] = [];
}
