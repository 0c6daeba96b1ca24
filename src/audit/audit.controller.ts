import { Get, Query } from '@nestjs/common';
import { ApiForbiddenResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminController } from '../common/http/access.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { AuditService } from './audit.service.js';
import { AuditPageResponse, AuditQueryDto } from './dto/audit.dto.js';

@AdminController('audit', 'audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOkResponse({ type: AuditPageResponse })
  @ApiForbiddenResponse({ type: ErrorResponse })
  @ApiOperation({ operationId: 'listAuditEntries', summary: 'The audit trail, newest first, optionally for one entity (admin)' })
  async list(@Query() query: AuditQueryDto): Promise<AuditPageResponse> {
    const rows = await this.audit.list({
      entityType: query.entityType,
      entityId: query.entityId,
      limit: query.limit,
      beforeId: query.before ? BigInt(query.before) : undefined,
    });
    const items = rows.map((r) => ({ ...r, id: r.id.toString() }));
    return { items, nextCursor: rows.length === query.limit ? items[items.length - 1].id : null };
  }
}
