import { Body, Controller, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/http/access.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { StrictRateLimit } from '../ops/rate-limit.js';
import { WaitlistSignUpDto, WaitlistSignUpResponse } from './dto/drops.dto.js';
import { WaitlistService } from './waitlist.service.js';

@ApiTags('drops')
@Controller('waitlist')
export class WaitlistController {
  constructor(private readonly waitlist: WaitlistService) {}

  @Public()
  @StrictRateLimit()
  @Post()
  @ApiOperation({
    operationId: 'joinWaitlist',
    summary: 'Notify me: a phone or email waits for a sold-out variant or an upcoming drop',
    description:
      'Told once, in sign-up order, through the customer notification channels when the variant is back in stock or the drop opens. ' +
      'Signing up again keeps the first place.',
  })
  @ApiCreatedResponse({ type: WaitlistSignUpResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  join(@Body() dto: WaitlistSignUpDto): Promise<WaitlistSignUpResponse> {
    return this.waitlist.signUp(dto);
  }
}
