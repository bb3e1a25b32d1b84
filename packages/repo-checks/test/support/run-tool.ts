import { execFile } from 'node:child_process';

/** What a command-line tool printed and how it exited. */
export interface ToolRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to its end without a shell; a non-zero exit is a result, not an error. */
export function runTool(
  file: string,
  args: readonly string[],
  options: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      { cwd: options.cwd, env: options.env ?? process.env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        // A numeric code is the program's exit status; anything else (ENOENT) means it never ran.
        if (error && typeof error.code !== 'number') return reject(new Error(error.message));
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}
