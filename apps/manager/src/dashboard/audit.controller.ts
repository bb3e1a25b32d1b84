import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PublicRoute } from '../security/access.decorator';
import { type AuditEntry, AuditLogRepository } from './audit-log.repository';
import { DashboardAccessGuard } from './dashboard-access.guard';
import { AuditQueryDto } from './dashboard-query.dto';

/** @default page size of the audit log */
const AUDIT_PAGE_SIZE = 50;

/** The audit log over REST (API key, read role), newest first. */
@ApiTags('audit')
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditLogRepository) {}

  @Get()
  @ApiOperation({
    summary: 'Operator actions taken through the dashboard, newest first',
    description:
      'Who (API key name) did what (retry, cancel, delete, pause, resume, drain) to which requests or filter, with how many were applied and skipped. Page with before=<id of the last entry>.',
  })
  @ApiOkResponse({
    description: '{ items: [{ id, at, actor, action, target, count, skipped, outcome }] }',
  })
  async list(@Query() query: AuditQueryDto): Promise<{ items: AuditEntry[] }> {
    return { items: await this.audit.page(query.limit ?? AUDIT_PAGE_SIZE, query.before) };
  }
}

/** The same entries for the dashboard's audit page (session cookie). */
@PublicRoute()
@UseGuards(DashboardAccessGuard)
@Controller('dashboard/api/audit')
export class DashboardAuditController {
  constructor(private readonly audit: AuditLogRepository) {}

  @Get()
  @ApiExcludeEndpoint()
  async list(@Query() query: AuditQueryDto): Promise<{ items: AuditEntry[] }> {
    return { items: await this.audit.page(query.limit ?? AUDIT_PAGE_SIZE, query.before) };
  }
}
