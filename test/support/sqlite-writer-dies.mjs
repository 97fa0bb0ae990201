// The SQLite writer thread (src/store/sqlite-writer.ts, started as the CLI entry starts it) ending
// itself when its Nth message arrives (RS_WRITER_DIES_AT in its environment, read when the thread
// starts), as a thread killed mid-batch would: the messages before it were handled as usual.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runSqliteWriter } = await import('../../src/store/sqlite-writer.ts');
const dieAt = Number(process.env.RS_WRITER_DIES_AT);
let seen = 0;
const port = {
  on: (event, handle) =>
    parentPort.on(event, (m) => {
      if (++seen === dieAt) process.exit(7);
      handle(m);
    }),
  postMessage: (m) => parentPort.postMessage(m),
  close: () => parentPort.close(),
};
runSqliteWriter(port, workerData.rpcsweepSqliteWriter);
