// PostGraphile 5 for bench/run peer: its CLI runs one Node process, so this starts `workers` of them on one port
// (node:cluster), as PostGraphile 4's --cluster-workers does, each with the amber preset (the CLI's recommended one)
// and a pool of `pool` connections. Arguments: connection string, schemas (comma-separated), host, port, workers, pool.
import cluster from "node:cluster";
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";

const [connectionString, schemas, host, port, workers, pool] = process.argv.slice(2);

if (cluster.isPrimary && Number(workers) > 1) {
  for (let i = 0; i < Number(workers); i++) {
    cluster.fork();
  }
  cluster.on("exit", (worker, code) => {
    console.error(`PostGraphile worker ${worker.process.pid} exited (${code})`);
    process.exit(1);
  });
} else {
  const pgl = postgraphile({
    extends: [PostGraphileAmberPreset],
    pgServices: [
      makePgService({ connectionString, schemas: schemas.split(","), poolConfig: { max: Number(pool) } }),
    ],
    grafserv: { host, port: Number(port) },
  });
  const server = createServer();
  await pgl.createServ(grafserv).addTo(server);
  server.listen({ host, port: Number(port) }, () => console.log(`PostGraphile ${process.pid} listening on ${host}:${port}`));
}
