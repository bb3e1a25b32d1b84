/** The parts of an Express 5 router layer the table reads. */
interface RouterLayer {
  readonly route?: {
    readonly path?: unknown;
    readonly methods?: Readonly<Record<string, boolean>>;
  };
}

/** Where the served routes are read from: the Express application's router, once routes exist. */
export type RouteSource = () => readonly RouterLayer[];

interface KnownRoute {
  readonly pattern: RegExp;
  readonly methods: ReadonlySet<string>;
}

/** `/api/v1/requests/:id` as a regular expression matching one path segment per parameter. */
function patternOf(path: string): RegExp {
  const segments = path
    .split('/')
    .map((segment) =>
      segment.startsWith(':')
        ? '[^/]+'
        : segment.startsWith('*')
          ? '.*'
          : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    );
  return new RegExp(`^${segments.join('/')}/?$`);
}

/**
 * Which methods the application serves on a path, read from the router after the routes were
 * registered: what a 405 lists in `Allow` and what a CORS preflight may ask for. `HEAD` comes
 * with `GET` (Express answers it); `OPTIONS` is added by the caller when CORS is on.
 */
export class RouteTable {
  private routes: readonly KnownRoute[] | undefined;

  constructor(private readonly source: RouteSource) {}

  /** The methods served on `path`, sorted; empty when no route has this path. */
  methodsFor(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.known()) {
      if (route.pattern.test(path)) for (const method of route.methods) methods.add(method);
    }
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  }

  private known(): readonly KnownRoute[] {
    // Built on first use: by then the application is initialised and every route registered.
    this.routes ??= this.source().flatMap((layer): KnownRoute[] => {
      const path = layer.route?.path;
      if (typeof path !== 'string') return [];
      const methods = Object.entries(layer.route?.methods ?? {})
        .filter(([method, on]) => on && method !== '_all')
        .map(([method]) => method.toUpperCase());
      return [{ pattern: patternOf(path), methods: new Set(methods) }];
    });
    return this.routes;
  }
}
