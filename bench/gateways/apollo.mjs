// Apollo Gateway (Apollo Server 5 standalone) on a static supergraph, one process:
// `node apollo.mjs --supergraph FILE --port N`. Defaults everywhere (no caches added) except
// what a production deployment would set: no introspection, no landing page, no telemetry.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';

const { values } = parseArgs({
  options: { supergraph: { type: 'string' }, port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' } },
});
if (!values.supergraph || !values.port) {
  console.error('usage: node apollo.mjs --supergraph FILE --port N');
  process.exit(2);
}

const gateway = new ApolloGateway({ supergraphSdl: readFileSync(values.supergraph, 'utf8') });
const server = new ApolloServer({
  gateway,
  introspection: false,
  plugins: [ApolloServerPluginLandingPageDisabled()],
});
const { url } = await startStandaloneServer(server, { listen: { port: Number(values.port), host: values.host } });
console.log(`ready apollo ${url}`);

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.stop().then(() => process.exit(0)));
