/**
 * Where the time goes in a `.cpuprofile` (from `BENCH_CPU_PROF=<dir> pnpm bench …`): self time
 * by function and by package, the top entries first.
 *
 * ```sh
 * node packages/bench/dist/tools/profile-summary.js .bench-out/prof/bench_system-manager.cpuprofile
 * ```
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function summarize(file: string, top: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfByFunction = new Map<string, number>();
  const selfByPackage = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    total += micros;
    const where = frame.url === '' ? nativeBucket(frame.functionName) : packageOf(frame.url);
    const name = `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
    selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + micros);
    selfByPackage.set(where, (selfByPackage.get(where) ?? 0) + micros);
  });
  const table = (title: string, entries: Map<string, number>) => [
    title,
    ...[...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([name, micros]) =>
          `  ${((micros / total) * 100).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${name}`,
      ),
  ];
  const idle = selfByPackage.get('(idle)') ?? 0;
  return [
    `${file}: ${(total / 1e6).toFixed(2)} s sampled, ${((total - idle) / 1e6).toFixed(2)} s busy`,
    ...table('self time by package:', selfByPackage),
    ...table('self time by function:', selfByFunction),
  ].join('\n');
}

/** V8's pseudo-frames apart from real native code, so idle time is not read as work. */
function nativeBucket(functionName: string): string {
  if (functionName === '(idle)') return '(idle)';
  if (functionName === '(garbage collector)') return '(gc)';
  if (functionName === '(program)') return '(program)';
  return '(native)';
}

/** `amqplib`, `@org/protocol`, `node:internal`…: the unit a reader acts on. */
function packageOf(url: string): string {
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(url);
  if (modules) return modules[1]!;
  const workspace = /\/(packages|apps)\/([^/]+)\/(?:dist|src)\/(.*)$/.exec(url);
  return workspace ? `${workspace[1]}/${workspace[2]}/${workspace[3]}` : url;
}

const [file, top = '25'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node profile-summary.js <file.cpuprofile> [top]');
  process.exit(2);
}
console.log(summarize(file, Number(top)));
