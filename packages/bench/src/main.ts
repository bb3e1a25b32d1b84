/**
 * `pnpm bench`: this system against raw amqplib and BullMQ, side by side, in one run on one machine.
 *
 * ```sh
 * pnpm bench                       # quick mode, under two minutes
 * pnpm bench -- --full             # the sizes (200k backlog, 1M rows)
 * pnpm bench -- --only raw,sdk --n 10000 --concurrency 64
 * ```
 *
 * Prints the table at the end and rewrites docs/benchmarks.{md,json,svg} (unless `--no-write`).
 */
import { parseBenchOptions, USAGE } from './bench-options';
import { describeMachine } from './machine';
import { textTable } from './report/table';
import { writeReport } from './report/write-report';
import { Results } from './results';
import { type ScenarioContext } from './scenario';
import { SCENARIOS } from './scenarios/index';
import { nowMs } from './support/clock';
import { waitForQuietServers } from './support/quiet-servers';

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2).filter((arg) => arg !== '--'));
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const started = nowMs();
  const results = new Results();
  const machine = await describeMachine();
  console.error(
    `bench: ${options.mode} mode on ${machine.cores} cores, ${machine.memoryGb} GB, Node ${machine.node}, ${machine.rabbitmq}, ${machine.postgresql}`,
  );
  for (const scenario of SCENARIOS.filter((candidate) => options.only.has(candidate.name))) {
    const context: ScenarioContext = {
      options,
      results,
      log: (line) => console.error(`  [${scenario.name}] ${line}`),
    };
    const settled = await waitForQuietServers(options.mode === 'full' ? 60_000 : 15_000);
    if (settled.waitedMs > 1_000 || !settled.quiet) {
      console.error(
        `bench: servers ${settled.quiet ? 'settled' : 'still busy'} after ${(settled.waitedMs / 1000).toFixed(1)} s`,
      );
    }
    const scenarioStart = nowMs();
    console.error(`bench: ${scenario.title}…`);
    try {
      const outcome = await scenario.run(context);
      if (outcome) {
        results.skip(scenario.name, outcome.skipped);
        console.error(`  [${scenario.name}] skipped: ${outcome.skipped}`);
      } else {
        context.log(`done in ${((nowMs() - scenarioStart) / 1000).toFixed(1)} s`);
      }
    } catch (error) {
      const reason = `failed: ${error instanceof Error ? error.message : String(error)}`;
      results.skip(scenario.name, reason);
      console.error(`  [${scenario.name}] ${reason}`);
    }
  }
  const figures = results.resolve();
  const seconds = (nowMs() - started) / 1000;
  console.log(`\n${textTable(figures, results.skips)}\n`);
  console.log(
    `${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGb} GB, Node ${machine.node}, ${machine.rabbitmq}, ${machine.postgresql}, ${machine.redis}; ${seconds.toFixed(0)} s`,
  );
  if (options.write) {
    for (const file of writeReport({ options, machine, figures, skips: results.skips, seconds }))
      console.log(`wrote ${file}`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
