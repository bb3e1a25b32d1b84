import { createServer } from 'node:net';

/** Whether something already listens on `port` (checked the way the manager will listen: all interfaces). */
export async function portInUse(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise<boolean>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(true);
      else reject(error);
    });
    server.listen(port, () => server.close(() => resolve(false)));
  });
}
