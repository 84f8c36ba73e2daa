// Starts CongoDB, a MongoDB wire-protocol server written in TypeScript (installed by scripts/setup
// into .deps/congodb), in memory on a loopback port (a free one unless given), and prints the port.
//   node serve.mjs <install dir> [port]
// On SIGUSR1 it prints "hellos N": how many hello commands it has answered. It exits with its
// parent (a test process that died without killing it) and on SIGTERM.
import { pathToFileURL } from 'node:url';

const dir = process.argv[2];
const port = Number(process.argv[3] ?? 0);
const load = (file) => import(pathToFileURL(`${dir}/congodb/${file}`).href);
const { CongoServer } = await load('index.js');
const { HelloHandler } = await load('server/handlers/HelloHandler.js');
const { MemoryStorageAdapter } = await load('storage/MemoryStorageAdapter.js');

// CongoDB answers an awaitable hello (one that carries topologyVersion and maxAwaitTimeMS) at
// once; a real server holds it until the topology changes or the time is up. libmongoc's pooled
// client monitors with awaitable hellos back to back, so without the wait it spins (50k+ hellos/s).
let hellos = 0;
const answer = HelloHandler.prototype.handle;
HelloHandler.prototype.handle = async function (context) {
  hellos += 1;
  const { command } = context;
  const wait = Number(command.maxAwaitTimeMS ?? 0);
  if (command.topologyVersion && wait > 0) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 60_000)));
  }
  return answer.call(this, context);
};

// A duplicate _id is error 11000 on a real server whichever command hit it; CongoDB says so for
// insert, but an upsert's insert reports code 1.
const insertOne = MemoryStorageAdapter.prototype.insertOne;
MemoryStorageAdapter.prototype.insertOne = async function (...args) {
  try {
    return await insertOne.apply(this, args);
  } catch (error) {
    if (String(error?.message).includes('Duplicate key')) Object.assign(error, { code: 11000, codeName: 'DuplicateKey' });
    throw error;
  }
};

const server = new CongoServer({ port, host: '127.0.0.1', storage: 'memory' });
await server.start();
process.stdout.write(`${server.server.address().port}\n`);

process.on('SIGUSR1', () => process.stdout.write(`hellos ${hellos}\n`));
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 500);
