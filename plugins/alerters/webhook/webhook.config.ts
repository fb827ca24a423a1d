import { IsObject, IsString, Matches } from 'class-validator';

export class WebhookConfig {
  /** Where to POST (Lovebeat's `webhook = "URL"`). */
  @Matches(/^https?:\/\/\S+$/, { message: 'must be an http:// or https:// URL' })
  @IsString({ message: 'must be a string' })
  url = '';

  /** Extra request headers, e.g. {"Authorization": "Bearer …"} for the receiving end. */
  @IsObject({ message: 'must be an object of header names to values' })
  headers: Record<string, string> = {};
}
