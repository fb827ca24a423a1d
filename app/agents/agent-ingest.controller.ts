import { Controller, Get, HttpCode, Post, Req, SetMetadata } from '@nestjs/common';
import { JsonBody } from '../http/json-body.js';
import { ACCESS_RULE, type AccessRule } from '../tokens/access.decorator.js';
import type { AuthenticatedRequest } from '../tokens/request-auth.js';
import { AgentService } from './agent.service.js';

/** Only an agent token: an admin token is no agent, so it cannot report metrics or ask whoami. */
const AgentTokenOnly = () => SetMetadata(ACCESS_RULE, { tokens: ['agent'], adminAllowed: false } satisfies AccessRule);

const EXAMPLE = '{"hostname": "web1", "collected_at": "2026-12-01T12:00:00Z", "cpu": {"percent": 12.5}} or {"samples": [...]}';

/** SPEC §5, what agents call. */
@Controller('api/agent')
@AgentTokenOnly()
export class AgentIngestController {
  constructor(private readonly agents: AgentService) {}

  @Post('metrics')
  @HttpCode(200)
  report(@Req() request: AuthenticatedRequest, @JsonBody(EXAMPLE) body: Record<string, unknown>) {
    return this.agents.report(request.pulseToken!.id, body);
  }

  @Get('whoami')
  whoami(@Req() request: AuthenticatedRequest) {
    return this.agents.whoami(request.pulseToken!.id);
  }
}
