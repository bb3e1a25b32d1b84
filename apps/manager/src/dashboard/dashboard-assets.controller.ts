import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { notFound } from '../http/api-error';
import { type HttpResponse } from '../http/http-types';
import { PublicRoute } from '../security/access.decorator';

/** Where the page and its assets live: `apps/manager/dashboard`, beside `src` and `dist`. */
export const ASSETS_DIR = path.resolve(__dirname, '../../dashboard');

/** The only files served, with their types: a fixed list, so no path ever reaches the disk. */
const ASSETS: Readonly<Record<string, string>> = {
  'app.js': 'text/javascript; charset=utf-8',
  'dom.js': 'text/javascript; charset=utf-8',
  'pages.js': 'text/javascript; charset=utf-8',
  'requests-page.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

/**
 * Scripts and styles from this origin only; no inline script, so an injected string can never
 * run; no framing (clickjacking an action button).
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * The page shell (one HTML file for every dashboard path: the script draws the page the path
 * names, so every view is a link) and its assets, read once at start.
 */
@ApiExcludeController()
@PublicRoute()
@Controller('dashboard')
export class DashboardAssetsController {
  private readonly files = new Map<string, Buffer>();

  private file(name: string): Buffer {
    let body = this.files.get(name);
    if (!body) {
      body = readFileSync(path.join(ASSETS_DIR, name));
      this.files.set(name, body);
    }
    return body;
  }

  @Get(['', 'requests', 'requests/:id', 'workers', 'audit', 'configuration', 'sign-in'])
  shell(@Res() response: HttpResponse): void {
    response.setHeader('Content-Type', 'text/html; charset=utf-8');
    response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'same-origin');
    response.setHeader('Cache-Control', 'no-cache');
    response.end(this.file('index.html'));
  }

  @Get('assets/:name')
  asset(@Param('name') name: string, @Res() response: HttpResponse): void {
    const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (type === undefined) throw notFound(`asset "${name}"`);
    response.setHeader('Content-Type', type);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Cache-Control', 'no-cache');
    response.end(this.file(name));
  }
}
