import { IsString, Length } from 'class-validator';

/** DELETE /api/services?pattern=<glob>: which services to delete at once. */
export class DeleteServicesQuery {
  @Length(1, 1024, { message: 'must be a glob of 1 to 1024 characters, e.g. "junk.*" ("*" deletes every service)' })
  @IsString({ message: 'must be a glob like "junk.*", given once' })
  pattern!: string;
}
