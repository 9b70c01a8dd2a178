// Composes subgraph sets with @theguild/federation-composition (an independent implementation).
// stdin: JSON {key: [{name, url, sdl}]}; stdout: JSON {key: {supergraphSdl, publicSdl, errors}}.
// Many sets per run: starting Node costs more than composing. The package folder is given by
// FITGRAPH_NODE_MODULES so the package lives outside git.
import { createRequire } from "node:module";
import path from "node:path";
import fs from "node:fs";

const require = createRequire(path.join(process.env.FITGRAPH_NODE_MODULES, "noop.js"));
const { parse } = require("graphql");
const { composeServices } = require("@theguild/federation-composition");

function composeOne(subgraphs) {
  let result;
  try {
    const services = subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) }));
    result = composeServices(services);
  } catch (error) {
    // A subgraph that does not parse is a composition error, not a crash of this runner.
    result = { errors: [{ message: String(error.message), extensions: { code: "INVALID_GRAPHQL" } }] };
  }
  return {
    supergraphSdl: result.supergraphSdl ?? null,
    publicSdl: result.publicSdl ?? null,
    errors: (result.errors ?? []).map((e) => ({ message: e.message, code: e.extensions?.code ?? null })),
  };
}

const batch = JSON.parse(fs.readFileSync(0, "utf8"));
const output = {};
for (const [key, subgraphs] of Object.entries(batch)) {
  output[key] = composeOne(subgraphs);
}
process.stdout.write(JSON.stringify(output));
