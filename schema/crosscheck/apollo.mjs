// Apollo's own federation libraries as a second reference (npm, Elastic-2.0; test use only).
// stdin: JSON {key: {subgraphs: [{name, url, sdl}]} | {supergraph: sdl, queries: [query]}}
// stdout: JSON {key: {supergraphSdl, errors, hints} | {apiSdl, plans, error}}
//   subgraphs  -> composed by @apollo/composition (what rover and GraphOS run)
//   supergraph -> loaded by @apollo/federation-internals with Apollo Router's feature set and
//                 planned by @apollo/query-planner for each query
import { createRequire } from "node:module";
import path from "node:path";
import fs from "node:fs";

const require = createRequire(path.join(process.env.FITGRAPH_NODE_MODULES, "noop.js"));
const { parse, printSchema } = require("graphql");
const { composeServices } = require("@apollo/composition");
const { Supergraph, ROUTER_SUPPORTED_SUPERGRAPH_FEATURES, operationFromDocument } = require("@apollo/federation-internals");
const { QueryPlanner, prettyFormatQueryPlan } = require("@apollo/query-planner");

function compose(subgraphs) {
  try {
    const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
    return {
      supergraphSdl: result.supergraphSdl ?? null,
      errors: (result.errors ?? []).map((e) => ({ message: e.message, code: e.extensions?.code ?? null })),
      hints: (result.hints ?? []).map((h) => h.definition?.code ?? null),
    };
  } catch (error) {
    return { supergraphSdl: null, errors: [{ message: String(error.message), code: "INVALID_GRAPHQL" }], hints: [] };
  }
}

function load(sdl, queries) {
  try {
    // The feature set Apollo Router accepts (the JS gateway alone refuses the authz specs).
    const supergraph = Supergraph.build(sdl, {
      supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES,
      validateSupergraph: true,
    });
    const api = supergraph.apiSchema();
    const planner = new QueryPlanner(supergraph);
    const plans = queries.map((query) =>
      prettyFormatQueryPlan(planner.buildQueryPlan(operationFromDocument(api, parse(query), {}))),
    );
    return { apiSdl: printSchema(api.toGraphQLJSSchema()), plans, error: null };
  } catch (error) {
    return { apiSdl: null, plans: [], error: String(error.message ?? error) };
  }
}

const batch = JSON.parse(fs.readFileSync(0, "utf8"));
const output = {};
for (const [key, job] of Object.entries(batch)) {
  output[key] = job.subgraphs ? compose(job.subgraphs) : load(job.supergraph, job.queries ?? []);
}
process.stdout.write(JSON.stringify(output));
