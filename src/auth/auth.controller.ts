import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AuthService } from './auth.service.js';
import { SessionsService } from './sessions.service.js';
import { CurrentUser, Public, type AuthUser } from '../common/http/access.js';
import { ChangePasswordDto, LoginDto, RegisterDto, TokenResponse, UserResponse } from './dto/auth.dto.js';
import { clearSessionCookie, readSessionCookie, SESSION_COOKIE, writeSessionCookie } from './session-cookie.js';
import { UnauthorizedError } from '../common/errors/domain-errors.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { StrictRateLimit } from '../ops/rate-limit.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
  ) {}

  @Public()
  @StrictRateLimit()
  @Post('register')
  @ApiCreatedResponse({ type: TokenResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Email already registered' })
  @ApiOperation({ operationId: 'register', summary: 'Create a customer account and sign in (access token, refresh cookie)' })
  @ApiBody({
    type: RegisterDto,
    examples: {
      customer: {
        summary: 'A new customer',
        value: { email: 'asha@example.com', password: 'correct horse battery', name: 'Asha Rao', phone: '+919812345678' },
      },
    },
  })
  register(@Body() dto: RegisterDto): Promise<TokenResponse> {
    return this.auth.register(dto);
  }

  @Public()
  @StrictRateLimit()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ operationId: 'login', summary: 'Sign in: an access token, and with refreshCookie a browser session (httpOnly cookie)' })
  @ApiOkResponse({ type: TokenResponse })
  @ApiUnauthorizedResponse({ type: ErrorResponse })
  @ApiBody({
    type: LoginDto,
    examples: { password: { summary: 'Email and password', value: { email: 'asha@example.com', password: 'correct horse battery' } } },
  })
  async login(@Body() dto: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<TokenResponse> {
    const { token, session } = await this.auth.login(dto);
    if (session) writeSessionCookie(req, res, session);
    return token;
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'refreshSession',
    summary: 'A new access token for the browser session',
    description:
      `Reads the ${SESSION_COOKIE} cookie set by POST /auth/login with refreshCookie, and replaces it with a new one (each refresh token ` +
      'works once; reusing one ends the session everywhere).',
  })
  @ApiOkResponse({ type: TokenResponse })
  @ApiUnauthorizedResponse({ type: ErrorResponse, description: 'No session, or it expired, was revoked or its token was reused' })
  async refresh(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<TokenResponse> {
    try {
      const { token, session } = await this.auth.refresh(readSessionCookie(req));
      writeSessionCookie(req, res, session);
      return token;
    } catch (error) {
      // An ended session's cookie is useless; after a transient failure (503) the browser keeps it and retries.
      if (error instanceof UnauthorizedError) clearSessionCookie(req, res);
      throw error;
    }
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ operationId: 'logout', summary: 'Sign out: ends the browser session (its refresh cookie) and clears the cookie' })
  @ApiNoContentResponse({ description: 'Signed out (also when there was no session)' })
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.sessions.end(readSessionCookie(req));
    clearSessionCookie(req, res);
  }

  @StrictRateLimit()
  @Post('password')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ operationId: 'changePassword', summary: 'Change your own password; your other browser sessions end' })
  @ApiNoContentResponse({ description: 'Changed' })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'currentPassword is wrong, or newPassword is too short or unchanged' })
  @ApiUnauthorizedResponse({ type: ErrorResponse })
  async changePassword(@CurrentUser() user: AuthUser, @Body() dto: ChangePasswordDto, @Req() req: Request): Promise<void> {
    await this.auth.changePassword(user.id, dto, readSessionCookie(req));
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOkResponse({ type: UserResponse })
  @ApiUnauthorizedResponse({ type: ErrorResponse })
  @ApiOperation({ operationId: 'getCurrentUser', summary: 'The signed-in user' })
  me(@CurrentUser() user: AuthUser): Promise<UserResponse> {
    return this.auth.me(user.id);
  }
}
