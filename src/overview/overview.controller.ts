import { Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminController } from '../common/http/access.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { OverviewQueryDto, OverviewResponse } from './dto/overview.dto.js';
import { OverviewService } from './overview.service.js';

@AdminController('admin/overview', 'overview')
export class OverviewController {
  constructor(private readonly overview: OverviewService) {}

  @Get()
  @ApiOperation({
    operationId: 'getOverview',
    summary: "Today's orders and revenue, orders to fulfil, low stock, failed deliveries (the console's first screen)",
  })
  @ApiOkResponse({ type: OverviewResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  get(@Query() query: OverviewQueryDto): Promise<OverviewResponse> {
    return this.overview.get(query);
  }
}
