// A real file-mover process (the built example on the built SDK) whose storage stalls inside the
// first copy: it streams part of the file into the staged destination, writes "STALLED" on stdout
// and waits there, so a test can SIGKILL it mid-move deterministically. `sameDevice` answers false
// so the move takes the streaming copy path (as across devices) instead of one rename.
// Plain CommonJS on the built packages: a child process cannot load TypeScript sources.
const { Transform } = require('node:stream');
const { createWorker } = require('@org/worker-sdk');
const { fileMoverWorker, LocalStorage, rootsFromEnv } = require('@org/example-file-mover');

const STALL_AFTER_BYTES = 1024 * 1024;

class StallingStorage extends LocalStorage {
  async sameDevice() {
    return false;
  }

  stageFile(location, content, signal) {
    if (location.endsWith('.file-mover.json')) return super.stageFile(location, content, signal);
    let seen = 0;
    const stall = new Transform({
      transform(chunk, _encoding, callback) {
        seen += chunk.length;
        if (seen <= STALL_AFTER_BYTES) return callback(null, chunk);
        process.stdout.write('STALLED\n'); // and never call back: the copy hangs here
      },
    });
    content.pipe(stall);
    return super.stageFile(location, stall, signal);
  }
}

const worker = createWorker({
  ...fileMoverWorker({ storage: new StallingStorage({ roots: rootsFromEnv() }) }),
  concurrency: 1,
  logger: { debug() {}, info() {}, warn() {}, error: (msg) => console.error(msg) },
});
worker.start().then(
  () => process.stdout.write('STARTED\n'),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
