// Runs ESLint's Node API on virtual files and reports what it found, as JSON on stdout. It runs in
// a child process because ESLint loads eslint.config.mjs with a dynamic import, which Jest's module
// runtime refuses without --experimental-vm-modules. One process lints every fixture, so the
// TypeScript program behind the type-aware rules is built once.
//
// The fixtures are not on disk, so no tsconfig lists them: they join TypeScript's default project
// (`allowDefaultProject`, globs relative to cwd, no `**`), set up with the compiler options of
// `defaultProject`. Everything else is the repository's own configuration.
//
// argv[2]: JSON { cwd, allowDefaultProject: [glob], defaultProject, lint: [{ filePath, code }],
//                 configOf: [filePath] }
// stdout:  JSON { lint: [[{ ruleId, message, fatal }]], rulesOf: [[ruleId]] }
'use strict';
const { ESLint } = require('eslint');

async function main() {
  const request = JSON.parse(process.argv[2]);
  const eslint = new ESLint({
    cwd: request.cwd,
    overrideConfig: {
      languageOptions: {
        parserOptions: {
          projectService: {
            allowDefaultProject: request.allowDefaultProject,
            defaultProject: request.defaultProject,
          },
        },
      },
    },
  });
  const lint = [];
  for (const { filePath, code } of request.lint) {
    const [result] = await eslint.lintText(code, { filePath });
    lint.push(
      result.messages.map(({ ruleId, message, fatal }) => ({
        ruleId,
        message,
        fatal: fatal === true,
      })),
    );
  }
  const rulesOf = [];
  for (const filePath of request.configOf) {
    const config = await eslint.calculateConfigForFile(filePath);
    rulesOf.push(Object.keys(config.rules ?? {}));
  }
  process.stdout.write(JSON.stringify({ lint, rulesOf }));
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
