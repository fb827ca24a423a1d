import { Injectable } from '@nestjs/common';
import { TokenService } from './token.service.js';

/** The two lines SPEC §2 fixes, word for word. They go to stdout, never into the log. */
export function adminTokenLines(secret: string): string {
  return `[LILLYDOO Pulse] Admin token generated: ${secret}\n[LILLYDOO Pulse] Save this token - it will not be shown again.\n`;
}

/**
 * On the first start of an empty database: make the admin token and print it, once. Called by the
 * server's entry point only after the HTTP listener is bound, so a start that fails (port in use, a bad
 * listener) neither stores a token nobody saw nor uses up the first run.
 */
@Injectable()
export class FirstRunService {
  constructor(private readonly tokens: TokenService) {}

  async announce(): Promise<void> {
    const secret = await this.tokens.issueFirstAdminToken();
    if (secret) process.stdout.write(adminTokenLines(secret));
  }
}
