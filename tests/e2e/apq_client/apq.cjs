// Drives the router with Apollo Client's persisted-queries link (APQ), exactly as an app would.
// Env: ROUTER_URL (GraphQL endpoint), QUERY (document), VARIABLES (JSON), RUNS (default 2).
// Prints one JSON line: {"results": [<data of each run>...]}.
"use strict";

const { createHash } = require("node:crypto");
const { ApolloClient, InMemoryCache, HttpLink, gql } = require("@apollo/client/core");
const { createPersistedQueryLink } = require("@apollo/client/link/persisted-queries");

async function main() {
  const link = createPersistedQueryLink({
    sha256: (text) => createHash("sha256").update(text).digest("hex"),
    useGETForHashedQueries: true,
  }).concat(
    new HttpLink({
      uri: process.env.ROUTER_URL,
      fetch,
      // The router's CSRF rule: a GET must carry a header that forces a CORS preflight.
      headers: { "apollo-require-preflight": "true" },
    }),
  );
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  const query = gql(process.env.QUERY);
  const variables = JSON.parse(process.env.VARIABLES || "{}");
  const runs = Number(process.env.RUNS || "2");
  const results = [];
  for (let run = 0; run < runs; run += 1) {
    // no-cache: every run goes to the network, so the router sees each one.
    const result = await client.query({ query, variables, fetchPolicy: "no-cache" });
    results.push(result.data);
  }
  process.stdout.write(JSON.stringify({ results }) + "\n");
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(1);
});
