import { Controller, Get, Param, Query, Res, StreamableFile, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ListRequestsQueryDto } from '../api/requests/dto/list-requests-query.dto';
import { RequestFilterDto } from '../api/requests/dto/request-filter.dto';
import { rethrowAsApiError } from '../api/domain-errors';
import { notFound } from '../http/api-error';
import { type HttpResponse } from '../http/http-types';
import { ConfigService } from '../config/config.service';
import { RequestReads, type RequestSteps } from '../requests/request-reads.service';
import {
  type RequestCounts,
  type RequestPage,
  type RequestSummary,
} from '../requests/request-views';
import { RequestsService } from '../requests/requests.service';
import { PublicRoute } from '../security/access.decorator';
import { DashboardAccessGuard } from './dashboard-access.guard';
import { MAX_EXPORT_ROWS, ExportQueryDto, NewerQueryDto } from './dashboard-query.dto';
import { type PayloadPreview, previewOf } from './payload-preview';
import { exportRows } from './request-export';

/** The request pages' data: the REST API's reads (`RequestReads`), shaped for the pages. */
@ApiExcludeController()
@PublicRoute()
@UseGuards(DashboardAccessGuard)
@Controller('dashboard/api/requests')
export class DashboardRequestsController {
  constructor(
    private readonly reads: RequestReads,
    private readonly requests: RequestsService,
    private readonly config: ConfigService,
  ) {}

  /** A page without counts: they scan every matching row, so the page asks for them apart. */
  @Get()
  list(@Query() query: ListRequestsQueryDto): Promise<RequestPage> {
    return this.reads.list({ ...query, counts: false }).catch(rethrowAsApiError);
  }

  @Get('counts')
  counts(@Query() filter: RequestFilterDto): Promise<RequestCounts> {
    return this.reads.counts(filter).catch(rethrowAsApiError);
  }

  /** How many matching requests were created after the newest one shown ("N new"). */
  @Get('newer')
  async newer(@Query() query: NewerQueryDto): Promise<{ count: number }> {
    const { since, ...filter } = query;
    const after = Date.parse(since);
    if (Number.isNaN(after)) return { count: 0 };
    // The list shows milliseconds; the table keeps microseconds: the next millisecond is "after".
    const createdFrom = new Date(after + 1).toISOString();
    const counts = await this.reads.counts({ ...filter, createdFrom }).catch(rethrowAsApiError);
    const states = filter.state;
    const count =
      states && states.length > 0
        ? states.reduce((sum, state) => sum + (counts.byState[state] ?? 0), 0)
        : counts.total;
    return { count };
  }

  /** The current filter as CSV or JSON, paged through the listing (at most MAX_EXPORT_ROWS). */
  @Get('export')
  async export(@Query() query: ExportQueryDto, @Res() response: HttpResponse): Promise<void> {
    const format = query.format ?? 'csv';
    const { format: _format, ...listQuery } = query;
    response.setHeader(
      'Content-Type',
      format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
    );
    response.setHeader('Content-Disposition', `attachment; filename="requests.${format}"`);
    const pages = this.pages(listQuery);
    await exportRows(pages, format, response);
  }

  @Get(':id')
  async detail(@Param('id') id: string): Promise<RequestDetailPage> {
    const detail = await this.reads.get(id).catch(rethrowAsApiError);
    const [input, children, parent, steps] = await Promise.all([
      this.reads.input(id),
      this.reads.list({ parentId: id, limit: 50, counts: false }),
      detail.parentId ? this.reads.find(detail.parentId) : Promise.resolve(null),
      this.reads.steps(id),
    ]);
    return {
      request: detail,
      input: input ? previewOf(input.body) : null,
      children: children.items,
      moreChildren: children.nextCursor !== null,
      parent: parent ? { id: parent.id, state: parent.state } : null,
      graph: steps.graph ? { steps: steps.steps, edges: this.edgesOf(detail.workflow) } : null,
    };
  }

  @Get(':id/input')
  async input(
    @Param('id') id: string,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<StreamableFile> {
    const input = await this.reads.input(id);
    if (!input) throw notFound(`request "${id}"`);
    response.setHeader('Content-Disposition', `attachment; filename="${safeName(id)}.input"`);
    return new StreamableFile(input.body, {
      type: input.mime ?? 'application/octet-stream',
      length: input.body.length,
    });
  }

  @Get(':id/output')
  async output(
    @Param('id') id: string,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<StreamableFile> {
    const output = await this.requests.output(id).catch(rethrowAsApiError);
    response.setHeader('Content-Disposition', `attachment; filename="${safeName(id)}.output"`);
    return new StreamableFile(output.body, {
      type: output.mimeType ?? 'application/octet-stream',
      length: output.body.length,
    });
  }

  /** A graph workflow's steps as the configuration declares them: id, worker type, after. */
  private edgesOf(workflow: string | null): GraphEdge[] {
    const declared = this.config.current().workflows.find((flow) => flow.type === workflow);
    return (declared?.steps ?? []).flatMap((step) =>
      typeof step === 'string'
        ? []
        : [{ id: step.id, worker: step.worker, after: step.after ?? [] }],
    );
  }

  private async *pages(query: Omit<ExportQueryDto, 'format'>): AsyncGenerator<RequestSummary[]> {
    let cursor: string | undefined;
    let written = 0;
    do {
      const page = await this.reads.list({ ...query, limit: 500, counts: false, cursor });
      yield page.items;
      written += page.items.length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && written < MAX_EXPORT_ROWS);
  }
}

/** What the detail page shows. */
export interface RequestDetailPage {
  readonly request: Awaited<ReturnType<RequestReads['get']>>;
  readonly input: PayloadPreview | null;
  readonly children: RequestSummary[];
  readonly moreChildren: boolean;
  readonly parent: { id: string; state: string } | null;
  /** A graph request's steps so far and the declared graph; null for other requests. */
  readonly graph: { steps: RequestSteps['steps']; edges: GraphEdge[] } | null;
}

/** One declared step of a graph workflow. */
export interface GraphEdge {
  readonly id: string;
  readonly worker: string;
  readonly after: readonly string[];
}

/** A file name from an id: anything but letters, digits, dot, dash and underscore becomes "_". */
function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
}
