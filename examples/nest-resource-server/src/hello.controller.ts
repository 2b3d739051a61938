import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import type { Caller } from './jwt.strategy.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { RequireScopes, ScopesGuard } from './scopes.guard.js';

@Controller()
@UseGuards(JwtAuthGuard, ScopesGuard)
export class HelloController {
  /** Any Tessera user's access token with scope `profile` (the default scope of role `user`). */
  @Get('hello')
  @RequireScopes('profile')
  hello(@Req() request: { user: Caller }): { message: string; sub: string; scope: string } {
    return { message: 'hello', sub: request.user.sub, scope: request.user.scopes.join(' ') };
  }
}
