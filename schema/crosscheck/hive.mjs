// Loads supergraphs the way Hive Gateway does (@graphql-tools/federation, MIT) and prints the
// schema it would serve. stdin: JSON {key: supergraphSdl}; stdout: JSON {key: {apiSdl, error}}.
import { createRequire } from "node:module";
import path from "node:path";
import fs from "node:fs";

const require = createRequire(path.join(process.env.FITGRAPH_NODE_MODULES, "noop.js"));
const { printSchema } = require("graphql");
const { getStitchedSchemaFromSupergraphSdl } = require("@graphql-tools/federation");

const batch = JSON.parse(fs.readFileSync(0, "utf8"));
const output = {};
for (const [key, supergraphSdl] of Object.entries(batch)) {
  try {
    output[key] = { apiSdl: printSchema(getStitchedSchemaFromSupergraphSdl({ supergraphSdl })), error: null };
  } catch (error) {
    output[key] = { apiSdl: null, error: String(error.stack ?? error) };
  }
}
process.stdout.write(JSON.stringify(output));
