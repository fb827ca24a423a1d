import { IsIn, IsString, Matches, MaxLength } from '@lillydoo-pulse/plugin-sdk';

export const PRIORITIES = ['min', 'low', 'default', 'high', 'urgent'] as const;

/** Options of the ntfy alerter (a channel's settings). The type check sits last: decorators run bottom-up. */
export class NtfyConfig {
  /** The ntfy server: https://ntfy.sh or your own. */
  @Matches(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, { message: 'must be an http(s) URL without query, e.g. "https://ntfy.sh"' })
  @IsString({ message: 'must be text' })
  server = 'https://ntfy.sh';
  /** The topic people subscribe to (ntfy's rules: letters, digits, "-" and "_"). */
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be 1-64 letters, digits, "-" or "_"' }) @IsString({ message: 'must be text' }) topic =
    '';
  /** An access token of the ntfy server, for protected topics (sent as a bearer token). */
  @MaxLength(200, { message: 'must be at most 200 characters' }) @IsString({ message: 'must be text' }) token = '';
  /** Priority of problems; recoveries and tests are always "default". */
  @IsIn([...PRIORITIES], { message: `must be one of ${PRIORITIES.join(', ')}` }) priority: (typeof PRIORITIES)[number] = 'high';
}
