import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { TokenService } from './token.service.js';

/** The two lines SPEC §2 fixes, word for word. They go to stdout, never into the log. */
export function adminTokenLines(secret: string): string {
  return `[LILLYDOO Pulse] Admin token generated: ${secret}\n[LILLYDOO Pulse] Save this token - it will not be shown again.\n`;
}

/** On the first start of an empty database: make the admin token and print it, once. */
@Injectable()
export class FirstRunService implements OnApplicationBootstrap {
  constructor(private readonly tokens: TokenService) {}

  async onApplicationBootstrap(): Promise<void> {
    const secret = await this.tokens.issueFirstAdminToken();
    if (secret) process.stdout.write(adminTokenLines(secret));
  }
}
