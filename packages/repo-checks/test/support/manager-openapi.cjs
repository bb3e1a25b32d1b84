// Prints the manager's OpenAPI document as its builder makes it, and the settings an empty
// environment gives (one JSON object on stdout), with no broker, no database and no listening
// server: the manager's TypeScript sources are compiled on the fly by SWC (the options of the Jest
// preset), workspace packages resolve to their sources as in the tests, and Nest builds the
// application in preview mode (modules and routes; no provider is instantiated, so nothing
// connects). A child process, because NestJS 12 ships ES modules, which Node loads through
// require(esm) but Jest's module runtime cannot (the repo-checks Jest project does not transpile
// node_modules, and should not have to).
'use strict';
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { join } = require('node:path');
const { transformSync } = require('@swc/core');

const root = join(__dirname, '..', '..', '..', '..');
const manager = join(root, 'apps', 'manager');
const { moduleNameMapper } = require(join(root, 'jest.preset.cjs'))(manager);
const mapped = Object.entries(moduleNameMapper).map(([pattern, target]) => [
  new RegExp(pattern),
  target,
]);

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const hit = mapped.find(([pattern]) => pattern.test(request));
  return resolveFilename.call(this, hit ? hit[1] : request, ...rest);
};
Module._extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    swcrc: false,
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

const fromManager = (id) => require(require.resolve(id, { paths: [manager] }));

async function main() {
  const { NestFactory } = fromManager('@nestjs/core');
  const { SwaggerModule } = fromManager('@nestjs/swagger');
  const { AppModule, loadEnvironment } = require(join(manager, 'src', 'index.ts'));
  const { createOperatorInterface } = require(
    join(manager, 'src', 'http', 'operator-interface.ts'),
  );
  const { httpOptionsFromEnv } = require(join(manager, 'src', 'http', 'http-options.ts'));
  // The settings an empty environment gives: what the README must state as defaults. Read twice,
  // so the test can tell a random default (the replica id) from a fixed one.
  const environments = [loadEnvironment({}), loadEnvironment({})];
  const httpOptions = httpOptionsFromEnv({});
  const environment = loadEnvironment({}, { http: false });
  const operator = createOperatorInterface(
    { LOG_LEVEL: 'silent' },
    { namespace: environment.namespace, apiKeys: [] },
  );
  const app = await NestFactory.create(AppModule.forRoot(environment, [operator.module]), {
    preview: true,
    logger: false,
    bodyParser: false,
    abortOnError: false,
  });
  // The document is what `configureHttp` hands to `SwaggerModule.setup`; take it there.
  let document;
  SwaggerModule.setup = (_path, _app, built) => {
    document = built;
  };
  operator.configure(app);
  await app.close();
  if (document === undefined) throw new Error('the manager never set up its OpenAPI document');
  process.stdout.write(JSON.stringify({ document, environments, httpOptions }));
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : String(error)}\n`);
  process.exit(1);
});
