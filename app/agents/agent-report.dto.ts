import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsNumber,
  IsObject,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateNested,
  validateSync,
} from 'class-validator';
import { parseTimeParam } from '../http/time-param.js';
import { Optional } from '../http/validation.js';
import { EXTRA_LIMITS, EXTRA_METRIC_MESSAGE, labelsProblem, type ExtraFigure, type MetricsReport } from '../agent/metrics-report.js';
import { fieldErrorsOf, ValidationFailure } from '../runtime/validation-failure.js';

/*
 * POST /api/agent/metrics: one report, or `{"samples": [...]}` (a batch from the agent's outbox). Checked
 * field by field; a refusal names each field (`samples.3.cpu.percent`). Decorators run bottom-up and stop
 * at the first failure: type checks sit last.
 */

const NUMBER = { message: 'must be a number' };
const PERCENT_MIN = Min(0, { message: 'must be a percent, 0 to 100' });
const PERCENT_MAX = Max(100, { message: 'must be a percent, 0 to 100' });
const NOT_NEGATIVE = Min(0, { message: 'must not be negative' });
const TIME_MESSAGE = 'must be an ISO 8601 time with a zone ("2026-12-01T12:00:00.000Z") or epoch milliseconds';
const ISO_WITH_ZONE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:?\d\d)$/;

/** A time as the agent sends it: ISO 8601 with a zone, or epoch milliseconds. */
export function IsReportTime() {
  return ValidateBy({
    name: 'isReportTime',
    validator: { validate: (value: unknown) => parseReportTime(value) !== null, defaultMessage: () => TIME_MESSAGE },
  });
}

/** Epoch ms of a report time, or null when it is not one (or before 2000 / after 2200: a broken clock or unit). */
export function parseReportTime(value: unknown): number | null {
  let ms: number;
  if (typeof value === 'number' && Number.isInteger(value)) ms = value;
  else if (typeof value === 'string' && ISO_WITH_ZONE.test(value)) ms = parseTimeParam(value) ?? Number.NaN;
  else return null;
  return Number.isFinite(ms) && ms >= 946_684_800_000 && ms < 7_258_118_400_000 ? ms : null;
}

class CpuFigures {
  @Optional() @PERCENT_MAX @PERCENT_MIN @IsNumber({}, NUMBER) percent?: number;
  @Optional() @NOT_NEGATIVE @IsNumber({}, NUMBER) load1?: number;
  @Optional() @NOT_NEGATIVE @IsNumber({}, NUMBER) load5?: number;
  @Optional() @NOT_NEGATIVE @IsNumber({}, NUMBER) load15?: number;
  @Optional() @Min(1, { message: 'must be at least 1' }) @IsInt({ message: 'must be a whole number' }) cores?: number;
}

class UsageFigures {
  @Optional() @NOT_NEGATIVE @IsNumber({}, NUMBER) total?: number;
  @Optional() @NOT_NEGATIVE @IsNumber({}, NUMBER) used?: number;
  @Optional() @PERCENT_MAX @PERCENT_MIN @IsNumber({}, NUMBER) percent?: number;
}

class DiskFigures {
  @Length(1, 255, { message: 'must be a mount point of 1 to 255 characters' }) @IsString({ message: 'must be a string' }) mount!: string;
  @Length(1, 64, { message: 'must be a file system type of 1 to 64 characters' }) @IsString({ message: 'must be a string' }) fs!: string;
  @NOT_NEGATIVE @IsNumber({}, NUMBER) size!: number;
  @NOT_NEGATIVE @IsNumber({}, NUMBER) used!: number;
  @PERCENT_MAX @PERCENT_MIN @IsNumber({}, NUMBER) percent!: number;
}

/** A drop-in collector's figure: a dotted name, a number, a few short text labels (the rules the agent applies). */
class ExtraFigureDto implements ExtraFigure {
  @Matches(EXTRA_LIMITS.metric, { message: EXTRA_METRIC_MESSAGE.replace(/^metric /, '') })
  @MaxLength(EXTRA_LIMITS.metricLength, { message: EXTRA_METRIC_MESSAGE.replace(/^metric /, '') })
  @IsString({ message: 'must be a metric name' })
  metric!: string;

  @IsNumber({}, NUMBER) value!: number;

  @Optional()
  @ValidateBy({
    name: 'isLabels',
    validator: {
      validate: (value: unknown) => labelsProblem(value as Record<string, unknown>) === null,
      defaultMessage: (args) => labelsProblem(args!.value as Record<string, unknown>) ?? 'must be text labels',
    },
  })
  @IsObject({ message: 'must be an object of text labels' })
  labels?: Record<string, string>;
}

class NetFigures {
  @Length(1, 64, { message: 'must be an interface name of 1 to 64 characters' }) @IsString({ message: 'must be a string' }) iface!: string;
  @NOT_NEGATIVE @IsNumber({}, NUMBER) rx_bps!: number;
  @NOT_NEGATIVE @IsNumber({}, NUMBER) tx_bps!: number;
}

export class MetricsReportDto implements MetricsReport {
  @Length(1, 255, { message: 'must be the host name, 1 to 255 characters' }) @IsString({ message: 'must be a string' }) hostname!: string;
  @Optional() @MaxLength(200, { message: 'must be at most 200 characters' }) @IsString({ message: 'must be a string' }) os?: string;
  @Optional()
  @Matches(/^[\w.+~-]{1,64}$/, { message: 'must be a version of at most 64 letters, digits and . + ~ - _' })
  @IsString({ message: 'must be a string' })
  version?: string;
  @Optional() @NOT_NEGATIVE @IsNumber({}, NUMBER) uptime_s?: number;

  @Optional() @ValidateNested() @Type(() => CpuFigures) @IsObject({ message: 'must be an object' }) cpu?: CpuFigures;
  @Optional() @ValidateNested() @Type(() => UsageFigures) @IsObject({ message: 'must be an object' }) memory?: UsageFigures;
  @Optional() @ValidateNested() @Type(() => UsageFigures) @IsObject({ message: 'must be an object' }) swap?: UsageFigures;

  @Optional()
  @ValidateNested({ each: true })
  @Type(() => DiskFigures)
  @ArrayMaxSize(256, { message: 'must have at most 256 disks' })
  @IsArray({ message: 'must be a list of {"mount","fs","size","used","percent"}' })
  disks?: DiskFigures[];

  @Optional()
  @ValidateNested({ each: true })
  @Type(() => NetFigures)
  @ArrayMaxSize(256, { message: 'must have at most 256 interfaces' })
  @IsArray({ message: 'must be a list of {"iface","rx_bps","tx_bps"}' })
  net?: NetFigures[];

  @Optional()
  @ValidateNested({ each: true })
  @Type(() => ExtraFigureDto)
  @ArrayMaxSize(EXTRA_LIMITS.figures, { message: `must have at most ${EXTRA_LIMITS.figures} figures` })
  @IsArray({ message: 'must be a list of {"metric","value","labels"?}' })
  extra?: ExtraFigureDto[];

  @IsReportTime() collected_at!: string;

  @Optional()
  @Max(3600, { message: 'must be at most 3600 (seconds)' })
  @Min(5, { message: 'must be at least 5 (seconds)' })
  @IsInt({ message: 'must be a whole number of seconds' })
  interval?: number;

  /** When the agent sent the request, by its clock (the server works out the agent's clock skew from it). */
  @Optional() @IsReportTime() sent_at?: string;
}

/** What the agent's outbox holds besides this batch, and how many reports it had to drop (shown on the agent). */
export class OutboxFigures {
  @Min(0, { message: 'must not be negative' }) @IsInt({ message: 'must be a whole number' }) queued!: number;
  @Min(0, { message: 'must not be negative' }) @IsInt({ message: 'must be a whole number' }) dropped!: number;
}

/** A batch as the link sends it: `{"samples": [...], "outbox": {"queued", "dropped"}}`. Each sample is checked on its own. */
export class MetricsBatchDto {
  @ArrayMaxSize(5000, { message: 'must have at most 5000 samples per request' })
  @ArrayMinSize(1, { message: 'must have at least one sample' })
  @IsArray({ message: 'must be a list of metric reports' })
  samples!: unknown[];

  @Optional() @ValidateNested() @Type(() => OutboxFigures) @IsObject({ message: 'must be {"queued", "dropped"}' }) outbox?: OutboxFigures;

  @Optional() @IsReportTime() sent_at?: string;
}

export interface ReceivedReport {
  report: MetricsReport;
  collectedAt: number;
}

export interface MetricsRequest {
  reports: ReceivedReport[];
  /** Samples of a batch that were refused, with why (the others are taken). */
  rejected: { index: number; reason: string }[];
  /** When the agent sent it, by its clock; null when it did not say. */
  sentAt: number | null;
  batch: boolean;
  outbox: { queued: number; dropped: number } | null;
}

const VALIDATION = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true, stopAtFirstError: true };

/**
 * The request body checked and parsed. One report: every bad field refuses it (a ValidationFailure naming
 * each). A batch: a bad envelope refuses it; a bad sample is rejected on its own, with the reason, and the
 * others are taken (so one broken sample never holds up an agent's outbox).
 */
export function parseMetricsRequest(body: Record<string, unknown>): MetricsRequest {
  if (!('samples' in body)) {
    const received = parseReport(body);
    if ('errors' in received) throw new ValidationFailure(received.errors);
    return { batch: false, sentAt: parseReportTime(body.sent_at), outbox: null, rejected: [], reports: [received] };
  }
  const batch = plainToInstance(MetricsBatchDto, body);
  const errors = validateSync(batch, VALIDATION);
  if (errors.length > 0) throw new ValidationFailure(fieldErrorsOf(errors, 'unknown field'));
  const reports: ReceivedReport[] = [];
  const rejected: MetricsRequest['rejected'] = [];
  batch.samples.forEach((sample, index) => {
    const received = sample !== null && typeof sample === 'object' && !Array.isArray(sample) ? parseReport(sample as object) : null;
    if (received === null) rejected.push({ index, reason: 'must be a metric report object' });
    else if ('errors' in received) rejected.push({ index, reason: new ValidationFailure(received.errors).message });
    else reports.push(received);
  });
  return {
    batch: true,
    sentAt: parseReportTime(batch.sent_at),
    outbox: batch.outbox ? { queued: batch.outbox.queued, dropped: batch.outbox.dropped } : null,
    rejected,
    reports,
  };
}

function parseReport(plain: object): ReceivedReport | { errors: ReturnType<typeof fieldErrorsOf> } {
  const dto = plainToInstance(MetricsReportDto, plain);
  const errors = validateSync(dto, VALIDATION);
  if (errors.length > 0) return { errors: fieldErrorsOf(errors, 'unknown field') };
  const { sent_at: _sentAt, ...report } = JSON.parse(JSON.stringify(dto)) as MetricsReportDto;
  return { report, collectedAt: parseReportTime(dto.collected_at)! };
}
