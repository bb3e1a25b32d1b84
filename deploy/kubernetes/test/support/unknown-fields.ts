import { join } from 'node:path';
import ts from 'typescript';
import { type KnownKind } from './schemas';
import { idOf, MANIFESTS, type KubeObject } from './render';

/**
 * Field names the schema does not know (a typo such as `replica:` or `livenessprobe:`). The
 * published JSON Schemas accept unknown fields, as the API server would silently drop them, so
 * every object is also type-checked as an object literal against its TypeScript type: the
 * compiler's excess-property check names an unknown field at any depth (the first one of each
 * object: fix it and the next shows). One compiler run checks them all, labelled `label` (default
 * `Kind/name`): loading the type definitions is what costs.
 */
export function unknownFields(
  objects: Readonly<Array<{ object: KubeObject; kind: KnownKind; label?: string }>>,
): string[] {
  if (objects.length === 0) return [];
  const fileName = join(MANIFESTS, 'test', '__rendered-objects__.ts');
  const modules = [...new Set(objects.map(({ kind }) => `${kind.typeModule}#${kind.typeName}`))];
  const alias = (kind: KnownKind) => `T${modules.indexOf(`${kind.typeModule}#${kind.typeName}`)}`;
  const lines = [
    ...modules.map((entry, index) => {
      const [module, name] = entry.split('#');
      return `import type { ${name} as T${index} } from '${module}';`;
    }),
    ...objects.map(
      ({ object, kind }, index) =>
        `export const o${index}: ${alias(kind)} = ${JSON.stringify(object)};`,
    ),
  ];
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === fileName
      ? ts.createSourceFile(name, source, language)
      : getSourceFile(name, language, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === fileName || fileExists(name);
  const program = ts.createProgram([fileName], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((diagnostic) => diagnostic.file?.fileName === fileName)
    .map((diagnostic) => {
      const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
      const entry = objects[line - modules.length];
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
      const label = entry ? (entry.label ?? idOf(entry.object)) : `line ${line}`;
      return `${label}: ${message}`;
    });
}
