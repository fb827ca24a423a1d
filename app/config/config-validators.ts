import { ValidateBy, type ValidationOptions } from 'class-validator';
import { parseHostPort } from './host-port.js';
import { isIP } from 'node:net';

/**
 * Config value rules. Each decorator's message says what is allowed, because the startup error prints
 * "<key> = <value>: <message>" and that must be enough to fix the file.
 */

export { parseHostPort } from './host-port.js';

/** Lovebeat style listen address: ":8127", "127.0.0.1:8127", "[::1]:8127". Port 0 picks a free port. */
export function IsListenAddress(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isListenAddress',
      validator: { validate: (value: unknown) => typeof value === 'string' && parseHostPort(value) !== null },
    },
    { message: 'must be "[host]:port", e.g. ":5000", "127.0.0.1:5000" or "[::1]:5000" (port 0-65535)', ...options },
  );
}

/** "host:port" with a host, or empty to turn the feature off. */
export function IsHostPortOrEmpty(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHostPortOrEmpty',
      validator: {
        validate: (value: unknown) => {
          if (value === '') return true;
          if (typeof value !== 'string') return false;
          const parsed = parseHostPort(value);
          return parsed !== null && parsed.host !== '' && parsed.port > 0;
        },
      },
    },
    { message: 'must be "host:port" (e.g. "localhost:8125"), or "" to turn it off', ...options },
  );
}

export function IsHttpUrlOrEmpty(options?: ValidationOptions): PropertyDecorator {
  return IsUrlOrEmpty('isHttpUrlOrEmpty', ['http:', 'https:'], 'must be an http:// or https:// URL, or ""', options);
}

export function IsPostgresUrlOrEmpty(options?: ValidationOptions): PropertyDecorator {
  return IsUrlOrEmpty(
    'isPostgresUrlOrEmpty',
    ['postgres:', 'postgresql:'],
    'must be a postgres://user:password@host:port/database URL, or "" for SQLite',
    options,
  );
}

/** A URL with one of `protocols` (as URL.protocol spells them, "http:"), or "" for "not set". */
function IsUrlOrEmpty(name: string, protocols: readonly string[], message: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value: unknown) => {
          if (value === '') return true;
          if (typeof value !== 'string') return false;
          try {
            return protocols.includes(new URL(value).protocol);
          } catch {
            return false;
          }
        },
      },
    },
    { message, ...options },
  );
}

/** Lovebeat writes file modes as the octal digits in a decimal number (`mode = 644`); a "0640" string works too. */
export function fileModeBits(value: number | string): number | null {
  const digits = String(value);
  if (!/^0?[0-7]{3}$/.test(digits)) return null;
  return parseInt(digits, 8);
}

export function IsFileMode(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isFileMode',
      validator: { validate: (value: unknown) => (typeof value === 'number' || typeof value === 'string') && fileModeBits(value) !== null },
    },
    { message: 'must be a file mode in octal digits, e.g. 644 or "0640"', ...options },
  );
}

export function IsIpOrCidrList(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIpOrCidrList',
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value) &&
          value.every((item) => {
            if (typeof item !== 'string') return false;
            const [address, bits, ...extra] = item.split('/');
            const family = isIP(address ?? '');
            if (family === 0 || extra.length > 0) return false;
            if (bits === undefined) return true;
            const n = Number(bits);
            return /^\d+$/.test(bits) && n <= (family === 4 ? 32 : 128);
          }),
      },
    },
    { message: 'must be a list of IP addresses or CIDR ranges, e.g. ["127.0.0.1", "10.0.0.0/8"]', ...options },
  );
}

/** The Pulse server a poller or agent reports to: an http:// or https:// URL, required. */
export function IsServerUrl(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isServerUrl',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string' || value === '') return false;
          try {
            const url = new URL(value);
            return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
          } catch {
            return false;
          }
        },
      },
    },
    { message: 'must be the Pulse server\'s URL, e.g. "https://pulse.example.com/" (the installer writes it)', ...options },
  );
}
